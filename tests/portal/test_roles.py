"""One role vocabulary: every role the application stores, offers or compares is a Role."""

import ast
from pathlib import Path

import pytest

from portal.accounts import services as accounts
from portal.accounts.forms import UserForm
from portal.demo.data import DEMO_USERS
from portal.kernel.errors import ValidationFailed
from portal.kernel.models import DEFAULT_DEPARTMENT, DEPARTMENTS, ROLES, Role

ROOT = Path(__file__).resolve().parents[2]
APPLICATION = ("portal", "content", "workflows", "search", "bench")
ROLE_VALUES = {role.value for role in Role}


def test_roles_keep_the_stored_values_in_their_order():
    assert tuple(Role) == ROLES
    assert [str(role) for role in ROLES] == ["rep", "marketer", "leader", "admin"]
    assert Role.MARKETER == "marketer"


def test_every_role_has_a_default_department():
    assert set(DEFAULT_DEPARTMENT) == set(Role)
    assert set(DEFAULT_DEPARTMENT.values()) <= set(DEPARTMENTS)


def test_every_demo_user_has_a_role_and_every_role_has_a_demo_user():
    roles = [role for _email, _name, role, _department in DEMO_USERS]

    assert all(isinstance(role, Role) for role in roles)
    assert set(roles) == set(Role)


def test_the_user_form_offers_exactly_the_roles(app):
    with app.test_request_context():
        form = UserForm()

    assert [choice.value for choice in form.role.choices] == list(Role)


def test_creating_a_user_with_an_unknown_role_names_the_roles(app):
    with pytest.raises(ValidationFailed) as refused:
        accounts.create_user("new@example.com", "New Person", "boss", "a long password")

    assert refused.value.fields["role"] == "Role must be one of: rep, marketer, leader, admin."


def _literal_roles(node: ast.AST) -> list[str]:
    """Role names written as string literals in ``node`` (a constant, or a set, tuple or
    list of constants)."""
    if isinstance(node, ast.Constant) and node.value in ROLE_VALUES:
        return [node.value]
    if isinstance(node, ast.Set | ast.Tuple | ast.List):
        return [name for element in node.elts for name in _literal_roles(element)]
    return []


def _is_user_role(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "role"


def role_literals(tree: ast.AST):
    """(line, names) for each comparison of a ``.role`` with literal role names, and each
    set of literal role names."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            if any(_is_user_role(operand) for operand in operands):
                names = [name for operand in operands for name in _literal_roles(operand)]
                if names:
                    yield node.lineno, names
        elif isinstance(node, ast.Set):
            names = _literal_roles(node)
            if names and len(names) == len(node.elts):
                yield node.lineno, names


def test_the_application_compares_roles_through_role_only():
    found = [
        f"{path.relative_to(ROOT)}:{line}: {names}"
        for package in APPLICATION
        for path in sorted((ROOT / package).rglob("*.py"))
        for line, names in role_literals(ast.parse(path.read_text()))
    ]

    assert found == [], "compare roles with Role members or a named set of them"
