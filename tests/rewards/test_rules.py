"""Rules: every condition form matches as the contract says; bad rules are refused naming the rule."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analytics.errors import InputError
from analytics.rewards.rules import load_rules_file, ordered, parse_rules, parse_rules_text
from tests.rewards.conftest import evaluate, player, rule

# Four LOSING-ish players: wagered / won / sessions; net_loss = wagered - won when positive.
PLAYERS = [
    player("A", total_wagered=2000, total_won=1900, sessions=3, tier="Gold"),  # net_loss 100, BREAKEVEN (-5%)
    player("B", total_wagered=2000, total_won=1500, sessions=2, tier="Bronze"),  # net_loss 500, LOSING
    player("C", total_wagered=5000, total_won=6000, sessions=9, tier="Silver"),  # net_loss 0, WINNING
    player("D", total_wagered=500, total_won=100, sessions=1, tier=None),  # net_loss 400, NEW
]


def matched(conditions: dict, cfg) -> list[str]:
    """Players a single rule with these conditions matches."""
    table = evaluate(PLAYERS, [rule(conditions=conditions)], cfg)
    return table.loc[table["rule_id"].notna(), "player_id"].tolist()


@pytest.mark.parametrize(
    ("conditions", "expected"),
    [
        ({}, ["A", "B", "C", "D"]),  # no condition: everyone
        ({"net_loss_min": 100}, ["A", "B", "D"]),  # >= is inclusive: A has exactly 100
        ({"net_loss_min": 100.01}, ["B", "D"]),
        ({"net_loss_max": 400}, ["A", "C", "D"]),  # <= is inclusive: D has exactly 400
        ({"net_loss_min": 100, "net_loss_max": 400}, ["A", "D"]),  # conditions are ANDed
        ({"sessions": 9}, ["C"]),  # plain key: equality
        ({"sessions": [1, 2]}, ["B", "D"]),  # list: membership
        ({"session_count_min": 3}, ["A", "C"]),  # session_count is sessions
        ({"segment": "LOSING"}, ["B"]),
        ({"segment": "losing"}, ["B"]),  # segment names in any case
        ({"segment": ["NEW", "WINNING"]}, ["C", "D"]),
        ({"tier": "Gold"}, ["A"]),  # export text column
        ({"tier": ["Gold", "Silver"]}, ["A", "C"]),  # D has no tier: never matches
        ({"win_loss_ratio_min": 1.2}, ["C"]),  # 6,000 / 5,000 = 1.2
        ({"avg_wager_per_session_max": 500}, ["D"]),  # 500 / 1
        ({"player_id": ["A", "D"]}, ["A", "D"]),
    ],
)
def test_each_condition_form(conditions: dict, expected: list[str], cfg) -> None:
    assert matched(conditions, cfg) == expected


def test_time_conditions(cfg) -> None:
    rows = [
        player("E", registered_at="2024-01-01T00:00:00Z"),
        player("F", registered_at="2024-06-01T12:00:00Z"),
    ]
    table = evaluate(rows, [rule(conditions={"registered_at_min": "2024-06-01T12:00:00Z"})], cfg)
    assert table.loc[table["rule_id"].notna(), "player_id"].tolist() == ["F"]  # inclusive
    table = evaluate(rows, [rule(conditions={"registered_at_max": "2024-03-01"})], cfg)
    assert table.loc[table["rule_id"].notna(), "player_id"].tolist() == ["E"]


def test_priorities_first_match_and_no_fall_through(cfg) -> None:
    rules = [
        rule("LATE", priority=10, conditions={"segment": "LOSING"}, formula="1"),
        rule("EARLY", priority=1, conditions={"segment": "LOSING"}, formula="501"),  # revenue 500: ROI < 0
        rule("OTHER", priority=5, conditions={"segment": "NEW"}, formula="1"),
        {**rule("OFF", priority=0, formula="1"), "is_active": False},  # inactive: skipped
    ]
    table = evaluate(PLAYERS, rules, cfg).set_index("player_id")
    assert table.loc["B", "rule_id"] == "EARLY"  # priority 1 before 10
    assert not table.loc["B", "approved"]  # declined (ROI) ...
    assert table.loc["B", "decline_code"] == "roi"  # ... and LATE is not tried instead
    assert table.loc["D", "rule_id"] == "OTHER"
    assert table["rule_id"].isna().sum() == 2  # A and C: no active rule matches
    tie = [rule("B_RULE", priority=3), rule("A_RULE", priority=3)]
    assert [r.rule_id for r in ordered(parse_rules(tie, cfg.formula))] == ["A_RULE", "B_RULE"]


def test_amount_is_capped_and_never_negative(cfg) -> None:
    row = evaluate(
        [player("B", total_wagered=2000, total_won=1500, sessions=2)],
        [rule(formula="net_loss * 10", max_amount=120)],
        cfg,
    ).iloc[0]
    assert row["amount"] == 120.0  # 5,000 capped at 120
    row = evaluate(
        [player("B", total_wagered=2000, total_won=1500, sessions=2)], [rule(formula="net_pnl * 0.1")], cfg
    ).iloc[0]
    assert row["amount"] == 0.0 and row["decline_code"] == "zero"  # -50 -> 0 -> declined "amount is 0"


BAD = [
    (rule(conditions={"colour": "red"}), "rule R1: condition 'colour': unknown field 'colour'"),
    (rule(conditions={"bogus_min": 3}), "rule R1: condition 'bogus_min': unknown field 'bogus'"),
    (rule(conditions={"net_loss_min": "100"}), "condition 'net_loss_min': '100' is not a number"),
    (rule(conditions={"net_loss_min": True}), "condition 'net_loss_min': True is not a number"),
    (rule(conditions={"segment": "LOOSING"}), "unknown segment LOOSING"),
    (rule(conditions={"segment": []}), "condition 'segment': the list is empty"),
    (rule(conditions={"segment_min": 1}), "segment is text"),
    (rule(conditions={"sessions": "five"}), "'five' is not a number or a list of numbers"),
    (rule(conditions={"registered_at_min": "yesterday"}), "'yesterday' is not an ISO 8601 timestamp"),
    (rule(conditions={"registered_at": "2024-01-01"}), "a time can only be compared with"),
    (rule(kind="GOLD"), "reward_config.type 'GOLD' is not one of"),
    (rule(max_amount=0), "reward_config.max_amount 0 must be a number > 0"),
    (
        rule(kind="BONUS_BALANCE", wagering_requirement=None),
        "wagering_requirement None must be a number >= 0",
    ),
    (rule(kind="BONUS_BALANCE", expiry_hours=-1), "expiry_hours -1 must be a number > 0"),
    (rule(wagering_requirement=10), "wagering_requirement applies to BONUS_BALANCE only"),
    (rule(eligible_games="slots"), "eligible_games must be a non-empty list"),
    (rule(colour="red"), "reward_config: unknown key 'colour'"),
    ({**rule(), "priority": "high"}, "priority 'high' must be a whole number"),
    ({**rule(), "is_active": "yes"}, "is_active 'yes' must be true or false"),
    ({**rule(), "extra": 1}, "unknown key 'extra'"),
    ({**rule(), "rule_id": "bad id!"}, "rule_id 'bad id!' must be"),
    ({**rule(), "reward_config": "x"}, "reward_config must be an object"),
    ({k: v for k, v in rule().items() if k != "rule_id"}, "rule #2 (no rule_id)"),
    (
        {"rule_id": "R1", "priority": 1, "reward_config": {"type": "TICKETS", "max_amount": 5}},
        "reward_config.formula is missing",
    ),
]


@pytest.mark.parametrize(("definition", "message"), BAD)
def test_bad_rules_are_refused_naming_the_rule(definition: dict, message: str, cfg) -> None:
    with pytest.raises(InputError) as err:
        parse_rules([rule("GOOD"), definition], cfg.formula, "rules.json")
    assert str(err.value).startswith("rules.json: rule "), str(err.value)
    assert message in str(err.value), str(err.value)
    assert "GOOD" not in str(err.value)  # only the bad rule is named


def test_every_problem_is_listed_and_duplicates_refused(cfg) -> None:
    with pytest.raises(InputError) as err:
        parse_rules([rule("X", formula="a.b"), rule("Y", max_amount=-1), rule("Z"), rule("Z")], cfg.formula)
    text = str(err.value)
    assert "rule X: formula 'a.b'" in text and "rule Y: reward_config.max_amount -1" in text
    assert "rule Z: rule_id appears 2 times" in text


def test_json_text_and_files(tmp_path: Path, cfg) -> None:
    with pytest.raises(InputError, match=r"rules.json: not valid JSON: .* \(line 2, column 1\)"):
        parse_rules_text('{"rule_id": "A",\n}', cfg.formula, "rules.json")
    single = parse_rules_text(json.dumps(rule("ONE")), cfg.formula)  # one object is a list of one
    assert [r.rule_id for r in single] == ["ONE"]
    with pytest.raises(InputError, match="no rules"):
        parse_rules([], cfg.formula)
    path = tmp_path / "rules.json"
    path.write_text(json.dumps([rule("A"), rule("B")]), encoding="utf-8")
    assert [r.rule_id for r in load_rules_file(path, cfg.formula)] == ["A", "B"]
    with pytest.raises(InputError, match="no such rules file"):
        load_rules_file(tmp_path / "missing.json", cfg.formula)


def test_canonical_definition(cfg) -> None:
    parsed = parse_rules(
        [
            rule(
                "A",
                conditions={"segment": "losing"},
                kind="BONUS_BALANCE",
                eligible_games=["Slots", "roulette", "slots"],
            )
        ],
        cfg.formula,
    )[0]
    assert parsed.definition["conditions"] == {"segment": "LOSING"}
    assert parsed.definition["reward_config"]["eligible_games"] == ["roulette", "slots"]
    assert parsed.eligible_games == ("roulette", "slots")
