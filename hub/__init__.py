"""Community Hub: the village web app that runs on a Raspberry Pi with no internet."""

__version__ = "0.1.0"
