"""Command-line tasks: init, create-user, create-token, seed-demo and the command listing."""

from sqlalchemy import delete, func, select

from content.library.models import TAXONOMIES, Stage, Tag
from portal import cli
from portal.kernel.extensions import db
from portal.kernel.models import DEFAULT_DEPARTMENT, ApiToken, Role, User, find_user
from tests.factories import login
from tests.portal.helpers import deactivate


def run(app, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


def user_count() -> int:
    return db.session.scalar(select(func.count(User.id)))


def test_create_user_makes_an_account_that_can_sign_in(app):
    account = ["Cleo@Example.com", "--role", "marketer", "--name", "Cleo Cli"]
    result = run(app, "create-user", *account, "--password", "a long cli password")

    assert result.exit_code == 0, result.output
    assert "Created marketer cleo@example.com (marketing)." in result.output
    login(app.test_client(), find_user("cleo@example.com"), "a long cli password")


def test_create_user_prompts_for_a_password_when_none_is_given(app, monkeypatch):
    monkeypatch.setattr(cli.getpass, "getpass", lambda prompt: "typed at the prompt")

    result = run(app, "create-user", "pia@example.com", "--role", "rep", "--name", "Pia")

    assert result.exit_code == 0, result.output
    login(app.test_client(), find_user("pia@example.com"), "typed at the prompt")


BAD_INPUT = {
    "bad role": (["new@example.com", "--role", "boss"], 2, "Invalid value for '--role'"),
    "short password": (["new@example.com", "--role", "rep", "--password", "short"], 1,
                       "Use at least 10 characters."),
    "taken email": (["REP@example.com", "--role", "rep"], 1, "That email is already in use."),
    "bad email": (["not-an-email", "--role", "rep"], 1, "Enter a valid email address."),
}  # fmt: skip


def test_create_user_refuses_bad_input_clearly(app, users):
    before = user_count()

    for problem, (args, exit_code, message) in BAD_INPUT.items():
        password = [] if "--password" in args else ["--password", "a long password"]
        result = run(app, "create-user", *args, "--name", "New Person", *password)
        assert result.exit_code == exit_code, f"{problem}: {result.output}"
        assert message in result.output, problem

    assert user_count() == before
    assert find_user("rep@example.com").name == "Riley Rep"


def test_create_user_offers_every_role_and_each_one_makes_an_account(app):
    assert "--role [rep|marketer|leader|admin]" in run(app, "create-user", "--help").output

    for role in Role:
        email = f"new-{role}@example.com"
        account = [email, "--role", role.value, "--name", "New", "--password", "a long password"]
        result = run(app, "create-user", *account)

        assert result.exit_code == 0, result.output
        assert f"Created {role} {email} ({DEFAULT_DEPARTMENT[role]})." in result.output
        assert find_user(email).role == role


def test_create_user_refuses_an_unknown_role_and_names_the_roles(app):
    for unknown in ("boss", "Admin", ""):
        result = run(app, "create-user", "new@example.com", "--role", unknown, "--name", "New")

        assert result.exit_code == 2, result.output
        expected = "is not one of 'rep', 'marketer', 'leader', 'admin'."
        assert f"Invalid value for '--role': '{unknown}' {expected}" in result.output
    assert user_count() == 0


def test_create_token_prints_a_token_that_works_with_the_api(app, users):
    result = run(app, "create-token", "Marketer@Example.com", "--name", "CRM import")

    assert result.exit_code == 0, result.output
    token = result.output.strip()
    response = app.test_client().get("/api/v1/assets", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    row = db.session.scalars(select(ApiToken)).one()
    assert (row.name, row.user_id) == ("CRM import", users["marketer"].id)


def test_create_token_refuses_unknown_or_deactivated_users(app, users):
    rep = users["rep"]
    deactivate(rep)

    unknown = run(app, "create-token", "ghost@example.com")
    deactivated = run(app, "create-token", "rep@example.com")

    assert unknown.exit_code == 1
    assert "No active user with email ghost@example.com." in unknown.output
    assert deactivated.exit_code == 1
    assert "No active user with email rep@example.com." in deactivated.output
    assert db.session.scalars(select(ApiToken)).all() == []


def test_command_listing_names_the_portal_commands(app):
    result = run(app, "--help")

    assert result.exit_code == 0
    for command in ("init", "create-user", "create-token", "seed-demo"):
        assert command in result.output


# ---- init and seed-demo ------------------------------------------------------------------


def taxonomy_counts() -> dict[str, int]:
    return {
        kind: db.session.scalar(select(func.count()).select_from(model)) or 0
        for kind, model in TAXONOMIES.items()
    }


def test_init_prepares_a_new_portal_the_taxonomy_and_the_first_admin(app):
    db.session.execute(delete(Tag))
    db.session.execute(delete(Stage))
    db.session.commit()
    admin = ["--admin-email", "Ada@Example.com", "--admin-name", "Ada Admin"]

    result = run(app, "init", *admin, "--admin-password", "a long admin password")

    assert result.exit_code == 0, result.output
    assert "Created admin ada@example.com" in result.output
    assert [s.slug for s in db.session.scalars(select(Stage).order_by(Stage.position))] == [
        "awareness", "consideration", "decision", "onboarding", "expansion"
    ]  # fmt: skip
    assert all(taxonomy_counts().values())
    assert [(u.email, u.role) for u in db.session.scalars(select(User))] == [
        ("ada@example.com", Role.ADMIN)
    ]
    login(app.test_client(), find_user("ada@example.com"), "a long admin password")


def test_init_run_again_adds_nothing_and_keeps_the_admin(app):
    admin = ["--admin-email", "ada@example.com", "--admin-name", "Ada Admin"]
    run(app, "init", *admin, "--admin-password", "a long admin password")
    before = (taxonomy_counts(), user_count())

    again = run(app, "init", "--admin-email", "other@example.com", "--admin-name", "Other")

    assert again.exit_code == 0, again.output
    assert "An admin exists already: ada@example.com." in again.output
    assert (taxonomy_counts(), user_count()) == before


def test_init_asks_for_the_first_admin_when_not_told(app, monkeypatch):
    monkeypatch.setattr(cli.getpass, "getpass", lambda prompt: "typed at the prompt")

    result = app.test_cli_runner().invoke(args=["init"], input="ada@example.com\nAda Admin\n")

    assert result.exit_code == 0, result.output
    assert "First admin's email" in result.output
    login(app.test_client(), find_user("ada@example.com"), "typed at the prompt")


def test_init_refuses_a_bad_admin_clearly_and_creates_nobody(app):
    admin = ["--admin-email", "ada@example.com", "--admin-name", "Ada Admin"]

    result = run(app, "init", *admin, "--admin-password", "short")

    assert result.exit_code == 1
    assert "Use at least 10 characters." in result.output
    assert user_count() == 0


def test_seed_demo_refuses_to_run_in_production(app):
    app.config["ENV_NAME"] = "production"

    result = run(app, "seed-demo")

    assert result.exit_code == 1
    assert "does not run with TANDEM_ENV=production" in result.output
    assert "flask --app portal init" in result.output
    assert user_count() == 0
