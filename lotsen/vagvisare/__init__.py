"""Vägvisaren: from a client's situation to the right party, process and contact.

The data (facts, the words that reveal them, and the rules) live in knowledge/vagvisare.yaml;
this package holds the behaviour and imports no bot SDK:

- model.py    the navigator as immutable data (part of the KnowledgeBase snapshot)
- schema.py   reading and checking vagvisare.yaml (called by lotsen.kb.loader, file:line errors)
- patterns.py the small pattern language of the vocabulary (ord*, {tal}, …) and its matcher
- extract.py  facts from Swedish free text, each with the words it came from; situation detection
- rules.py    three-valued evaluation of the rules: fired, not fired (and why), open (what is missing)
- advice.py   what the cards show: the understood facts, the questions that matter, the steps
"""
