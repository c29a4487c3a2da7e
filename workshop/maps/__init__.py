"""Trend maps: the stored versions (``store``), map files in (``uploads``, ``schema``), and the
metro layout the projector and the poster draw (``metro``)."""
