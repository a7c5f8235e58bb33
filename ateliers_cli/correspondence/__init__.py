"""Correspondence: the messages the consultation sends to the people who took part.

For a chosen *moment* (:mod:`.moments`: a registration confirmed, a place freed from the
waiting list, the invitation to the restitution meeting of one's territory, what became of
one's contribution after the vote, the progress of the actions that came from it), one
message per person, from templates the consultation can override
(``templates/courrier/<moment>.txt.j2`` and ``.sms.j2``), sent by the channel the person can
be reached by (:mod:`.recipients`): e-mail (:mod:`.emails`, with an iCalendar invitation from
:mod:`.invitations`, sent by :mod:`.sending`), letter (:mod:`.letters`), SMS (:mod:`.sms`).

Only people who agreed are written to; nobody who refused or was erased ever is; every
message sent is logged in ``prive/courrier/envois.csv`` so that none is sent twice.
"""
