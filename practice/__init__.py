"""Simulated participants: people with phones, through the app's own pages.

Practice mode (a facilitator tries the app or trains alone) and the load bench share them:

- ``practice.participant.SimulatedParticipant`` joins a workshop and takes part in every step,
  reporting each thing it submits as an ``Action`` with its timing;
- ``practice.room.start_practice`` runs a group of them inside the app's own server process;
- ``practice.wsclient`` is the browserless phone: Streamlit's websocket protocol and the app's
  live event stream;
- ``practice.content`` is what they type and choose.
"""
