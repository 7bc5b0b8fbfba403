"""authorize(actor, permission, resource) and the permission registry."""

from __future__ import annotations

import pytest
from bangyaer import Permission
from bangyaer.identity import (
    Actor,
    Grant,
    Organisation,
    PermissionConflict,
    PermissionRegistry,
    Person,
    UnknownPermission,
    authorize,
)

# District 1 → schools 2 (A) and 3 (B); school A's class 4; a school 40 whose
# path shares the characters "/1/4" with class 4's.
DISTRICT, SCHOOL_A, SCHOOL_B = "/1/", "/1/2/", "/1/3/"
CLASS_A1, CLASS_A2, SCHOOL_40 = "/1/2/4/", "/1/2/5/", "/1/40/"


@pytest.fixture
def registry():
    registry = PermissionRegistry()
    registry.add_all([
        Permission("core.people.view", "查看学生", "View people",
                   ("district_admin", "school_admin", "teacher")),
        Permission("core.roles.manage", "管理角色", "Manage roles", ("district_admin",)),
    ], owner="core")
    return registry


def actor(registry, *grants):
    return Actor(registry=registry, account_id=7,
                 grants=tuple(Grant(role, i, path) for i, (role, path) in enumerate(grants)))


def student(path):
    return Person(kind="student", name="王小明", org_path=path)


def test_school_grant_covers_the_school_its_classes_and_their_students(registry):
    head = actor(registry, ("school_admin", SCHOOL_A))
    assert authorize(head, "core.people.view", Organisation(path=SCHOOL_A))
    assert authorize(head, "core.people.view", Organisation(path=CLASS_A1))
    assert authorize(head, "core.people.view", student(CLASS_A2))


def test_district_grant_covers_every_school(registry):
    admin = actor(registry, ("district_admin", DISTRICT))
    assert all(authorize(admin, "core.people.view", student(path))
               for path in (SCHOOL_A, CLASS_A1, SCHOOL_B, SCHOOL_40))


def test_school_admin_of_a_cannot_act_on_school_b(registry):
    head = actor(registry, ("school_admin", SCHOOL_A))
    assert not authorize(head, "core.people.view", Organisation(path=SCHOOL_B))
    assert not authorize(head, "core.people.view", student(SCHOOL_B))


def test_class_grant_covers_neither_its_school_nor_a_sibling_class(registry):
    teacher = actor(registry, ("teacher", CLASS_A1))
    assert not authorize(teacher, "core.people.view", Organisation(path=SCHOOL_A))
    assert not authorize(teacher, "core.people.view", student(CLASS_A2))


def test_grant_on_class_4_does_not_cover_school_40(registry):
    teacher = actor(registry, ("teacher", "/1/4/"))
    assert not authorize(teacher, "core.people.view", Organisation(path=SCHOOL_40))


def test_a_role_without_the_permission_is_refused_even_at_home(registry):
    head = actor(registry, ("school_admin", SCHOOL_A))
    assert not authorize(head, "core.roles.manage", Organisation(path=SCHOOL_A))


def test_without_a_resource_the_permission_held_anywhere_is_enough(registry):
    assert authorize(actor(registry, ("teacher", CLASS_A1)), "core.people.view")
    assert not authorize(actor(registry, ("judge", DISTRICT)), "core.people.view")


def test_anonymous_actor_holds_nothing(registry):
    assert not authorize(Actor(registry=registry), "core.people.view", student(CLASS_A1))


def test_unplaced_person_is_covered_by_no_grant(registry):
    admin = actor(registry, ("district_admin", DISTRICT))
    assert not authorize(admin, "core.people.view", student(""))


def test_unknown_permission_name_raises(registry):
    with pytest.raises(UnknownPermission) as raised:
        authorize(actor(registry, ("district_admin", DISTRICT)), "core.people.veiw")
    assert str(raised.value) == "no enabled plugin defines permission 'core.people.veiw'"


def test_unknown_permission_name_raises_for_anonymous_actors_too(registry):
    with pytest.raises(UnknownPermission):
        authorize(Actor(registry=registry), "nothing.here")


def test_path_without_its_closing_slash_is_refused(registry):
    with pytest.raises(ValueError, match=r"^organisation path '/1/4' must look like '/1/4/'$"):
        authorize(actor(registry, ("teacher", "/1/4/")), "core.people.view", "/1/4")


def test_resource_outside_the_tree_is_refused(registry):
    with pytest.raises(TypeError, match=r"^authorize\(\) cannot place int in the organisation"):
        authorize(actor(registry, ("teacher", "/1/4/")), "core.people.view", 4)


def test_object_with_an_org_path_is_placed_by_it(registry):
    class Entry:
        org_path = CLASS_A1

    assert authorize(actor(registry, ("school_admin", SCHOOL_A)), "core.people.view", Entry())


# -- the registry ------------------------------------------------------------


def test_registry_refuses_a_permission_defined_twice(registry):
    with pytest.raises(PermissionConflict) as raised:
        registry.add(Permission("core.people.view", "查看", "View"), owner="core")
    assert str(raised.value) == "permission 'core.people.view' is already defined by 'core'"


def test_registry_refuses_unknown_roles(registry):
    with pytest.raises(PermissionConflict) as raised:
        registry.add(Permission("notices.publish", "发布", "Publish", ("principal",)),
                     owner="notices")
    assert str(raised.value) == (
        "permission 'notices.publish' names unknown role(s) ['principal']; expected some of "
        "['district_admin', 'district_staff', 'school_admin', 'teacher', 'judge', 'guardian']")


def test_registry_refuses_a_name_outside_the_plugins_own_prefix(registry):
    with pytest.raises(PermissionConflict) as raised:
        registry.add(Permission("core.notices.publish", "发布", "Publish"), owner="notices")
    assert str(raised.value) == ("permission 'core.notices.publish' must be named "
                                 "'notices.<what>' in lower case, e.g. 'notices.publish'")


def test_registry_adds_all_of_a_batch_or_none(registry):
    batch = [Permission("notices.publish", "发布", "Publish", ("district_staff",)),
             Permission("notices.review", "审核", "Review", ("nobody",))]
    with pytest.raises(PermissionConflict):
        registry.add_all(batch, owner="notices")
    assert "notices.publish" not in registry
    assert len(registry) == 2


def test_registry_refuses_a_batch_naming_one_permission_twice(registry):
    twice = [Permission("notices.publish", "发布", "Publish")] * 2
    with pytest.raises(PermissionConflict, match=r"^permission 'notices.publish' is defined "
                                                 r"twice by 'notices'$"):
        registry.add_all(twice, owner="notices")


def test_registry_knows_each_permissions_owner_and_roles(registry):
    assert registry.owner("core.roles.manage") == "core"
    assert registry.for_role("teacher") == frozenset({"core.people.view"})
    with pytest.raises(UnknownPermission):
        registry.get("core.nothing")
