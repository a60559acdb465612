"""factory_boy factories shared by every app's tests."""

import factory
from django.contrib.auth.models import Group

from portal import roles
from portal.models import Department, Membership, User

PASSWORD = "correct horse battery"


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"测试局{n}")
    code = factory.Sequence(lambda n: f"D{n}")
    email = factory.LazyAttribute(lambda o: f"{o.code.lower()}@example.gov.cn")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))
            if extracted in roles.STAFF_ROLES:
                self.is_staff = True
                self.save(update_fields=["is_staff"])


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    department = factory.SubFactory(DepartmentFactory)


def staff_of(department, username=None, role=Membership.Role.STAFF, **kwargs) -> User:
    """A department staff member of `department`."""
    user = UserFactory(role=roles.DEPARTMENT_STAFF, **({"username": username} if username else {}), **kwargs)
    Membership.objects.create(user=user, department=department, role=role)
    return user


def clerk(username=None, **kwargs) -> User:
    return UserFactory(role=roles.OFFICE_CLERK, **({"username": username} if username else {}), **kwargs)


def citizen(username=None, **kwargs) -> User:
    return UserFactory(role=roles.CITIZEN, **({"username": username} if username else {}), **kwargs)
