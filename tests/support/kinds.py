"""Reference prefixes of the shipped case kinds (the `case:` blocks of knowledge/forms/*.yaml),
for tests that file cases straight through lotsen.cases; test_case_kinds_as_data checks they agree."""

PREFIX = {"avvikelse": "AVV", "arena": "ARENA", "sip": "SIP"}


def fixture_kinds():
    """The case kind registry as create_app builds it, from the fixture knowledge base."""
    from bot.composition import build_flows, case_kinds
    from lotsen.kb import load_knowledge_base
    from tests.conftest import FIXTURE_KB

    return case_kinds(build_flows(), load_knowledge_base(FIXTURE_KB))


async def file_test_case(
    store,
    kind: str,
    form_id: str,
    municipality: str | None = None,
    *,
    reporter_aad: str = "a",
    reporter_name: str = "A",
    data: dict | None = None,
):
    """File a case straight through lotsen.cases with the shipped kind's prefix and plain
    reporter details (no feedback wanted); returns what cases.file_case returns."""
    from lotsen import cases

    return await cases.file_case(
        store,
        kind=kind,
        prefix=PREFIX[kind],
        form_id=form_id,
        municipality=municipality,
        reporter_aad=reporter_aad,
        reporter_name=reporter_name,
        reporter_ref=None,
        wants_feedback=False,
        data={} if data is None else data,
    )
