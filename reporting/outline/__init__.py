"""A whole concept as a numbered outline (the districts' mind-map export), by stage:
``decode`` (bytes → text), ``parse`` (text → ``tree``), ``validate``, ``write`` (→ database)
and ``export`` (database → text); ``views``, ``forms`` and ``urls`` for the browser."""
