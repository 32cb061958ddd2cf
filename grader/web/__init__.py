"""The self-check web page: ``python -m grader serve`` (see :mod:`grader.web.serve`).

:mod:`grader.web.app` routes requests, :mod:`grader.web.forms` turns the form into a submission
file and back, :mod:`grader.web.preview` reads an answer for the live preview, and
:mod:`grader.web.pages` writes the HTML. ``static/`` holds the page's script and style sheet.
"""
