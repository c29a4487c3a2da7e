"""What the screens see live: the hub of changes (``events``), across processes (``notify``), the
room's view (``views``), the big screens' board data (``board``) and a phone's screen (``phone_screen``)."""
