"""Monthly peer huddles: small groups of returning parents with a mentor who facilitates.

Pure parts: ``cohorts`` (who meets whom), ``slots`` (when), ``plan`` (facilitators, and the
``hr-plugin huddles plan`` command), ``series`` (the rhythm and timeline). Around them:
``service`` (a package: settings, planning, delivery, answers and ratings, overview),
``messages`` and ``views`` (Block Kit), ``actions`` (their action and callback ids),
``listeners``, ``home``, ``ticks``, ``calendar`` (.ics and links) and ``prompts`` (the
facilitator's notes, as data).
"""
