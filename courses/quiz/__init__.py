"""The quiz engine: freezing (``snapshot``), grading (``grading``), attempts (``services``),
reads (``selectors``), trainer statistics (``statistics``) and spreadsheet exchange
(``spreadsheet``). Models live in ``courses.models.quiz``."""
