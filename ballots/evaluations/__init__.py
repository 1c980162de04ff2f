"""Evaluations (评议会): the register of what residents evaluate (:mod:`.subjects`), evaluation
ballots with one rating question per subject (:mod:`.evaluation_ballots`), satisfaction rates
from published results only (:mod:`.rates`) and rectification (整改) after a poor rating
(:mod:`.rectification`)."""
