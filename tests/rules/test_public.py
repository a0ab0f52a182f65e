from __future__ import annotations

import servesell.rules

CONTRACT = {"CompiledRule", "compile_rule", "validate_catalog"}


def test_all_names_the_contract_and_only_existing_names() -> None:
    exported = servesell.rules.__all__
    assert len(set(exported)) == len(exported)
    assert set(exported) >= CONTRACT
    for name in exported:
        assert hasattr(servesell.rules, name)


def test_every_public_name_of_the_package_root_is_in_all() -> None:
    submodules = {"batch", "catalog", "check", "closures", "coerce", "compiled", "conditions"}
    submodules |= {"evaluator", "folded", "layout"}
    submodules |= {"like", "operands", "sql", "syntax", "tagging", "tree"}
    public = {name for name in vars(servesell.rules) if not name.startswith("_")}
    assert public - submodules == set(servesell.rules.__all__)
