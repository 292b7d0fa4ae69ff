"""Line of therapy and prior exposure by drug class."""

from __future__ import annotations

from oncoboard.derive import current_line, prior_exposures, unknown_agents


def _line(start, stop=None, agents=("letrozole",), setting="metastatic", line=None, **extra):
    entry = {
        "setting": setting,
        "agents": [{"name": a} for a in agents],
        "start_date": start,
        **extra,
    }
    if stop:
        entry["stop_date"] = stop
    if line:
        entry["line"] = line
    return entry


def test_no_treatment_means_first_line_next(make_case):
    line = current_line(make_case())
    assert (line.number, line.ongoing, line.completed) == (1, None, 0)


def test_ongoing_line_counts_by_start_date(make_case):
    case = make_case(
        treatments=[
            _line(
                "2022-01-01",
                "2023-01-01",
                ("letrozole", "palbociclib"),
                reason_stopped="progression",
            ),
            _line("2023-02-01", None, ("fulvestrant", "capivasertib")),
        ]
    )
    line = current_line(case)
    assert line.number == 2
    assert line.ongoing is not None and line.ongoing.agents[1].name == "capivasertib"
    assert line.completed == 1


def test_all_lines_stopped_gives_next_line(make_case):
    case = make_case(
        treatments=[
            _line("2022-01-01", "2023-01-01"),
            _line("2023-02-01", "2023-09-01", ("capecitabine",)),
        ]
    )
    assert current_line(case).number == 3


def test_switch_within_a_line_keeps_its_number(make_case):
    case = make_case(
        treatments=[
            _line(
                "2022-01-01",
                "2022-03-01",
                ("letrozole", "ribociclib"),
                line=1,
                reason_stopped="toxicity",
            ),
            _line("2022-03-15", None, ("letrozole", "abemaciclib"), line=1),
        ]
    )
    line = current_line(case)
    assert (line.number, line.completed) == (1, 0)


def test_adjuvant_and_supportive_are_not_lines(make_case):
    case = make_case(
        treatments=[
            _line("2019-01-01", "2021-01-01", ("tamoxifen",), setting="adjuvant"),
            _line("2023-01-01", None, ("denosumab",), setting="supportive"),
        ]
    )
    assert current_line(case).number == 1
    assert current_line(case).ongoing is None


def test_exposures_by_class_include_adjuvant_and_aliases(make_case):
    case = make_case(
        treatments=[
            _line("2019-01-01", "2021-01-01", ("Arimidex",), setting="adjuvant"),
            _line(
                "2022-01-01", "2023-01-01", ("letrozole", "Ibrance"), reason_stopped="progression"
            ),
            _line("2023-02-01", None, ("T-DXd",)),
        ]
    )
    exposures = prior_exposures(case)
    assert [e.agent for e in exposures["aromatase_inhibitor"]] == ["anastrozole", "letrozole"]
    assert exposures["cdk46_inhibitor"][0].progressed
    assert exposures["anti_her2_adc"][0].agent == "trastuzumab deruxtecan"
    assert "topoisomerase1_adc" in exposures
    assert "serd" not in exposures


def test_unknown_agents_are_reported_unless_investigational(make_case):
    case = make_case(
        treatments=[
            {
                "setting": "metastatic",
                "start_date": "2024-01-01",
                "agents": [{"name": "XYZ-123", "investigational": True}, {"name": "palbocyclib"}],
            },
        ]
    )
    assert unknown_agents(case) == [(0, 1)]
    assert "cdk46_inhibitor" not in prior_exposures(case)


def test_agent_stopped_within_a_line(make_case):
    case = make_case(
        treatments=[
            {
                "setting": "metastatic",
                "line": 1,
                "start_date": "2022-01-01",
                "stop_date": "2023-06-01",
                "reason_stopped": "progression",
                "agents": [
                    {"name": "docetaxel", "stop_date": "2022-05-01", "reason_stopped": "completed"},
                    {"name": "trastuzumab"},
                    {"name": "pertuzumab"},
                ],
            }
        ]
    )
    exposures = prior_exposures(case)
    (taxane,) = exposures["taxane"]
    (antibody, _) = exposures["anti_her2_antibody"]
    assert (str(taxane.stop_date), taxane.progressed) == ("2022-05-01", False)
    assert (str(antibody.stop_date), antibody.progressed) == ("2023-06-01", True)
