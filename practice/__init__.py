"""Simulated participants: people with phones, through the app's own pages.

Practice mode (a facilitator tries the app or trains alone) and the load bench share them:

- ``practice.participant.SimulatedParticipant`` joins a workshop and takes part in every step,
  reporting each thing it submits as an ``Action`` with its timing;
- ``practice.room.start_practice`` runs a group of them inside the app's own server process;
- ``practice.participant`` takes the phone's own routes (``web.phone``: plain HTTP and the live
  event stream), as a phone's browser does;
- ``practice.wsclient`` is a browserless Streamlit screen (the projector, the facilitator's
  controls) for the load bench: Streamlit's websocket protocol and the live event stream;
- ``practice.content`` is what they type and choose.
"""
