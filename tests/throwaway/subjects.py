from portal.subjects import ClockSubject
from tests.throwaway import services


class ErrandSubject(ClockSubject):
    def reference(self, obj) -> str:
        return f"ERR-{obj.pk}"

    def department_ids(self, obj) -> list[int]:
        return [obj.department_id]

    def urge(self, *, obj, clocks, note, actor) -> int:
        return services.errand_urge(errand=obj, actor=actor, note=note, clock_ids=[c.pk for c in clocks])

    def extend(self, *, obj, clock, days, reason, actor) -> None:
        services.errand_extend(errand=obj, actor=actor, clock=clock, days=days, reason=reason)
