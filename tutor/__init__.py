"""descent-tutor: learn gradient descent with exact mathematics.

The package is one engine with several views: text enters through
:mod:`tutor.mathinput`, the engine (:mod:`tutor.calculus`, :mod:`tutor.descent`,
:mod:`tutor.walkthrough`) turns it into plain data, and the views (the Textual
app, the plots, the Markdown export, the CLI) only render that data.
"""

__version__ = "0.1.0"
