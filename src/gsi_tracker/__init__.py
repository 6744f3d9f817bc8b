"""gsi-tracker: source-cited tables of China's Global Security Initiative in policing."""

__version__ = "0.1.0"
