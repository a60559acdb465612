"""Every write to a suggestion or campaign: one function per action, one transaction each.

Each action on a suggestion is one guarded transition (portal.workflow.transition with
suggestions.workflow.TABLE): the row locked, the table checked (state, role, permission), the
state claimed with a conditional update, the suggestion saved with its history, its timeline
written (`move.record`) and its notices queued (`move.notify`), e-mails sent only after commit.
Steps that change no state (an assessment, an answer, a measure, an urge) go through the same
guard. A refused action raises a DomainError subclass whose message is shown to the user as it is.

The services live by sub-domain (intake; moderation and numbering; forwarding, answers and
measures; recognition; campaigns, analysis and reports), as petitions' do; callers import from
the module.
"""
