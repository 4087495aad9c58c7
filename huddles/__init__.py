"""Monthly peer huddles: small groups of returning parents with a mentor who facilitates.

Pure parts: ``cohorts`` (who meets whom), ``slots`` (when), ``plan`` (facilitators, and the
``hr-plugin huddles plan`` command), ``series`` (the rhythm and timeline). Around them:
``service`` (planning, reminders, answers, ratings), ``messages`` and ``views`` (Block Kit),
``listeners``, ``home``, ``ticks``, ``calendar`` (.ics and links) and ``prompts`` (the
facilitator's notes, as data).
"""
