"""Every write to a suggestion or campaign: one function per action, one transaction each.

Each service locks the row, checks suggestions.workflow's table (state, role, permission),
changes it, moves its clocks through portal.clocks, writes the timeline event, and queues notices
and e-mails that are sent only after commit. A refused action raises a DomainError subclass whose
message is shown to the user as it is.

The services live by sub-domain (intake; moderation and numbering; forwarding, answers and
measures; campaigns, analysis and reports), as petitions' do; callers import from the module.
"""
