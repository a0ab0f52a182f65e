"""Bad input for follow-ups: each gets a clear error or status, nothing is lost or sent twice."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import uuid

import pytest
from sqlalchemy import Engine

from servesell.channels import OutboundMessage, Result
from servesell.channels.adapters.aliyun import AliyunSms
from servesell.channels.sinks import provider as fake
from servesell.channels.sinks.provider import running_provider
from servesell.channels.template_check import parse_templates
from servesell.domain import Channel, OutcomeResult, ProfileSchema
from servesell.errors import TemplateError
from servesell.service.links import LinkError, LinkProblem, answer, open_link
from servesell.service.outbox import enqueue_follow_ups
from servesell.service.receipts import (
    MalformedCallback,
    Unauthenticated,
    authenticate,
    parse_receipts,
)
from servesell.store.db import write_transaction
from support import channels as center
from support.channels import BASE_URL

SCHEMA = ProfileSchema.from_mapping({"name": "str", "balance": "float"})


def problems(text: str) -> list[tuple[int | None, str]]:
    with pytest.raises(TemplateError) as caught:
        parse_templates(
            text,
            source="t.yaml",
            schema=SCHEMA,
            base_url=BASE_URL,
            offers={"bill": center.offer("bill")},
        )
    return caught.value.problems


def test_an_unknown_variable_is_reported_on_its_line_with_a_suggestion() -> None:
    found = problems(
        "templates:\n  - offer: bill\n    channel: sms\n"
        "    body: |\n      您好\n      账单{{ balanse }}\n"
    )
    assert found == [(6, "bill/sms/zh: unknown variable 'balanse' (did you mean 'balance'?)")]


def test_an_unknown_filter_and_a_syntax_error_are_reported_on_their_lines() -> None:
    found = problems(
        "templates:\n"
        "  - {offer: bill, channel: sms, body: '{{ balance | shout }}'}\n"
        "  - offer: bill\n    channel: email\n    subject: hi\n    body: '{% if %}'\n"
    )
    assert [line for line, _ in found] == [2, 6]
    assert "No filter named 'shout'" in found[0][1]


def test_an_sms_over_its_segment_limit_is_refused_at_load() -> None:
    body = "您的账单" * 30 + "{{ link }}"
    (found,) = problems(f"templates:\n  - offer: bill\n    channel: sms\n    body: '{body}'\n")
    assert found[0] == 4
    assert "SMS segments with long sample values (limit 2)" in found[1]


@pytest.mark.parametrize(
    ("item", "message"),
    [
        (
            "{offer: bill, channel: wechat, template: T, fields: {first: hi}}",
            "service content only",
        ),
        ("{offer: bill, channel: email, body: hi}", "an e-mail needs a subject"),
        ("{offer: nope, channel: sms, body: hi}", "unknown offer 'nope'"),
        ("{offer: bill, channel: in_call, body: hi}", "templates are for digital channels"),
        ("{offer: bill, channel: fax, body: hi}", "channel: Input should be"),
        (
            "{offer: bill, channel: sms, body: hi, colour: red}",
            "colour: Extra inputs are not permitted",
        ),
    ],
)
def test_bad_templates_say_what_is_wrong(item: str, message: str) -> None:
    found = problems(f"templates:\n  - {item}\n")
    assert found[0][0] == 2
    assert message in found[0][1]


def test_a_second_template_for_the_same_key_names_the_first() -> None:
    item = "  - {offer: bill, channel: sms, body: hi}\n"
    assert problems("templates:\n" + item + item) == [
        (3, "second template for bill/sms/zh (first on line 2)")
    ]


@pytest.mark.parametrize(
    ("text", "line"),
    [("templates: [\n", 2), ("sign_name: x\n", 1), ("- just a list\n", 1), ("templates: []\n", 1)],
)
def test_a_broken_file_is_refused_whole(text: str, line: int) -> None:
    assert problems(text)[0][0] == line


def test_a_template_that_fails_on_a_profile_is_stored_failed_not_dropped(engine: Engine) -> None:
    text = center.TEMPLATES.replace("{{ masked_name }}您好，您本期", "{{ name[7] }}您好，您本期", 1)
    made, who = center.decision("d1", "C1"), center.customer("C1")
    with write_transaction(engine) as conn:
        center.set_up(conn, templates=text)
        center.log(conn, made, who)
        (queued,) = enqueue_follow_ups(
            conn, made, who, {"bill_instalment": center.offer()}, base_url=BASE_URL
        )
    assert queued.status.value == "failed"
    assert "UndefinedError" in (queued.reason or "")  # the sample name was long enough


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[]", b"[1, 2]", b'{"message_id": "m"}',
     b'{"message_id": "m", "status": "read"}', b'{"message_id": "", "status": "sent"}',
     b'[{"out_id": "m", "success": "yes"}]'],
)  # fmt: skip
def test_malformed_receipts_are_refused_with_the_reason(body: bytes) -> None:
    with pytest.raises(MalformedCallback):
        parse_receipts(body)


@pytest.mark.parametrize(
    ("signature", "token"),
    [
        (None, None),
        ("sha256=00", None),
        (None, "wrong"),
        ("sha256=" + "0" * 64, "right-secret-xyz"),
    ],
)
def test_unsigned_or_badly_signed_receipts_are_refused(signature, token) -> None:
    with pytest.raises(Unauthenticated):
        authenticate(b"{}", signature=signature, token=token, secret="right-secret-xyz")


def test_a_correct_signature_or_token_is_accepted() -> None:
    digest = hmac.new(b"right-secret-xyz", b"{}", hashlib.sha256).hexdigest()
    authenticate(b"{}", signature=f"sha256={digest}", token=None, secret="right-secret-xyz")
    authenticate(b"{}", signature=None, token="right-secret-xyz", secret="right-secret-xyz")


def test_receipts_are_refused_while_no_secret_is_set() -> None:
    with pytest.raises(Unauthenticated, match="SERVESELL_RECEIPT_SECRET"):
        authenticate(b"{}", signature=None, token="", secret="")


@pytest.mark.parametrize("token", ["", "x", "A" * 43, "../../etc/passwd", "' OR 1=1 --" + "a" * 20])
def test_bogus_tokens_are_unknown(engine: Engine, token: str) -> None:
    with write_transaction(engine) as conn, pytest.raises(LinkError) as caught:
        open_link(conn, token, now=dt.datetime.now(dt.UTC))
    assert caught.value.problem is LinkProblem.UNKNOWN


def test_an_accept_after_the_attribution_window_is_refused(engine: Engine) -> None:
    made, who = center.decision("d1", "C1"), center.customer("C1")
    with write_transaction(engine) as conn:
        center.set_up(conn)
        center.log(conn, made, who)
        enqueue_follow_ups(
            conn,
            made,
            who,
            {"bill_instalment": center.offer()},
            base_url=BASE_URL,
            now=made.made_at,
        )
        link = conn.execute(center.outbox_link()).scalar_one()
        late = made.made_at + dt.timedelta(days=7, seconds=1)
        with pytest.raises(LinkError) as caught:
            answer(conn, link.rsplit("/", 1)[1], OutcomeResult.ACCEPTED, now=late)
    assert caught.value.problem is LinkProblem.EXPIRED


@pytest.mark.parametrize("mode", ["garbage", "http500"])
def test_a_provider_answering_garbage_leaves_the_message_unknown_not_lost(mode: str) -> None:
    with running_provider() as (base, state):
        state.behaviour["13800000000"] = mode
        sms = AliyunSms(
            endpoint=f"{base}/aliyun",
            access_key_id=fake.KEY_ID,
            access_key_secret=fake.KEY_SECRET,
            sign_name="x",
        )
        message = OutboundMessage(uuid.uuid4().hex, Channel.SMS, "13800000000", "hi")
        result = sms.send(message)
        sms.close()
    assert result.result is Result.AMBIGUOUS
    assert json.dumps(result.reason)
