"""Reference prefixes of the shipped case kinds (the `case:` blocks of knowledge/forms/*.yaml),
for tests that file cases straight through lotsen.cases; test_case_kinds_as_data checks they agree."""

PREFIX = {"avvikelse": "AVV", "arena": "ARENA", "sip": "SIP"}


def fixture_kinds():
    """The case kind registry as create_app builds it, from the fixture knowledge base."""
    from bot.composition import build_flows, case_kinds
    from lotsen.kb import load_knowledge_base
    from tests.conftest import FIXTURE_KB

    return case_kinds(build_flows(), load_knowledge_base(FIXTURE_KB))
