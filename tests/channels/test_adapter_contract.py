"""The contract every channel adapter keeps, run against each one and a real local server."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from servesell.channels.adapters.aliyun import AliyunSms
from servesell.channels.adapters.base import Adapter
from servesell.channels.adapters.smtp import Smtp
from servesell.channels.adapters.webhook import Webhook
from servesell.channels.adapters.wechat import WeChatTemplate
from servesell.channels.message import OutboundMessage, Result
from servesell.channels.sinks import free_port
from servesell.channels.sinks import provider as fake
from servesell.channels.sinks.provider import ProviderState, running_provider
from servesell.channels.sinks.smtp import PASSWORD, USER, running_sink
from servesell.channels.status import Status
from servesell.domain import Channel

SECRETS = (
    fake.KEY_SECRET,
    fake.WEBHOOK_SECRET,
    fake.WECHAT_SECRET,
    PASSWORD,
    "wx-token-DO-NOT-LEAK",
)


@dataclass
class Case:
    """An adapter wired to its local server, the addresses that steer it, and a counter."""

    adapter: Adapter
    good: str
    refused: str
    later: str
    hangs: str
    received: Callable[[], int]
    offline: Callable[[], Adapter]


def _message(case: Case, to: str) -> OutboundMessage:
    return OutboundMessage(
        id=uuid.uuid4().hex,
        channel=case.adapter.channel,
        to=to,
        body="【示例银行】张**您好，本期账单3,000.00元 回T退订",
        subject="您的账单 / Your bill",
        params={"masked_name": "张**", "balance": "3,000.00"},
        template="SMS_0001" if case.adapter.channel is Channel.SMS else "TPL_BILL",
        link="https://bank.example.cn/o/abc",
    )


def _provider_case(kind: str, base: str, state: ProviderState) -> Case:
    dead = f"http://127.0.0.1:{free_port()}"
    state.behaviour.update({"p-refused": "reject", "p-later": "throttle", "p-hangs": "timeout"})
    state.hang_seconds = 1.5
    builders: dict[str, Callable[[str], Adapter]] = {
        "aliyun": lambda url: AliyunSms(endpoint=f"{url}/aliyun", access_key_id=fake.KEY_ID,
                                        access_key_secret=fake.KEY_SECRET, sign_name="示例银行",
                                        timeout=0.5),
        "webhook": lambda url: Webhook(channel=Channel.SMS, url=f"{url}/webhook",
                                       secret=fake.WEBHOOK_SECRET, timeout=0.5),
        "wechat": lambda url: WeChatTemplate(api_base=url, app_id=fake.WECHAT_APP,
                                             app_secret=fake.WECHAT_SECRET, timeout=0.5),
    }  # fmt: skip
    return Case(
        adapter=builders[kind](base),
        good="p-good",
        refused="p-refused",
        later="p-later",
        hangs="p-hangs",
        received=lambda: len(state.accepted),
        offline=lambda: builders[kind](dead),
    )


@pytest.fixture(params=["aliyun", "webhook", "wechat", "smtp"])
def case(request: pytest.FixtureRequest) -> Iterator[Case]:
    if request.param == "smtp":
        with running_sink(auth=True) as (port, box):
            box.hang_seconds = 1.5

            def build(p: int) -> Adapter:
                return Smtp(host="127.0.0.1", port=p, sender="bank@example.cn", starttls=False,
                            username=USER, password=PASSWORD, timeout=0.5)  # fmt: skip

            made = Case(build(port), "good@example.cn", "reject@example.cn", "later@example.cn",
                        "slow@example.cn", lambda: len(box.messages),
                        lambda: build(free_port()))  # fmt: skip
            yield made
            made.adapter.close()
        return
    with running_provider() as (base, state):
        made = _provider_case(request.param, base, state)
        yield made
        made.adapter.close()


def test_an_accepted_message_is_sent_once(case: Case) -> None:
    result = case.adapter.send(_message(case, case.good))
    assert result.result is Result.SENT, result.reason
    assert case.received() == 1


def test_a_message_for_another_channel_is_a_programming_error(case: Case) -> None:
    other = Channel.EMAIL if case.adapter.channel is not Channel.EMAIL else Channel.SMS
    message = _message(case, case.good)
    wrong = OutboundMessage(message.id, other, message.to, message.body)
    with pytest.raises(ValueError, match="not"):
        case.adapter.send(wrong)


def test_no_address_is_refused_without_calling_the_provider(case: Case) -> None:
    assert case.adapter.send(_message(case, " ")).result is Result.PERMANENT
    assert case.received() == 0


def test_a_refusal_is_permanent_and_a_throttle_transient(case: Case) -> None:
    assert case.adapter.send(_message(case, case.refused)).result is Result.PERMANENT
    assert case.adapter.send(_message(case, case.later)).result is Result.TRANSIENT


def test_a_timeout_after_sending_is_ambiguous_not_a_failure(case: Case) -> None:
    result = case.adapter.send(_message(case, case.hangs))
    assert result.result is Result.AMBIGUOUS, result.reason
    assert case.received() == 1  # it did reach the provider: resending would duplicate it


def test_an_unreachable_provider_is_transient(case: Case) -> None:
    offline = case.offline()
    assert offline.send(_message(case, case.good)).result is Result.TRANSIENT
    offline.close()


def test_credentials_never_appear_in_results_logs_or_repr(
    case: Case, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    reasons = [
        case.adapter.send(_message(case, to)).reason for to in (case.good, case.refused, case.later)
    ]
    text = " ".join([*reasons, caplog.text, repr(case.adapter)])
    assert not [secret for secret in SECRETS if secret in text]


def test_lookup_answers_or_says_it_cannot(case: Case) -> None:
    message = _message(case, case.good)
    case.adapter.send(message)
    found = case.adapter.lookup(message)
    if not case.adapter.can_lookup:
        assert found is None
        return
    assert found is not None
    assert found.status is Status.DELIVERED
    never_sent = case.adapter.lookup(_message(case, case.good))
    assert never_sent is not None
    assert never_sent.status is None


def test_close_twice_is_harmless(case: Case) -> None:
    case.adapter.send(_message(case, case.good))
    case.adapter.close()
    case.adapter.close()
