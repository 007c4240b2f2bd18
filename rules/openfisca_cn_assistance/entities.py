"""Entities: the person (个人) and the household (共同生活家庭), the unit assessed for assistance.

A household's simulation holds its members (the head and the other members living together,
审核确认办法 第7条) and, in their own role, its legal supporters living elsewhere
(法定赡养、抚养、扶养义务人): their facts are inputs, they are never counted members. A supporter
of several households appears once in each household's simulation.
"""

from openfisca_core.entities import build_entity

Household = build_entity(
    key="household",
    plural="households",
    label="共同生活家庭 / household",
    doc="""
    户 (共同生活家庭): the assistance unit. Roles: the head of household (户主, at most one), the
    other members (家庭成员) and the legal supporters living elsewhere (法定义务人), who are
    persons of the simulation but not members of the unit.
    """,
    roles=[
        {
            "key": "head",
            "label": "户主 / head of household",
            "max": 1,
            "doc": "The head of household, a member of the unit.",
        },
        {
            "key": "member",
            "plural": "members",
            "label": "家庭成员 / member",
            "doc": "Other persons living together in the household.",
        },
        {
            "key": "supporter",
            "plural": "supporters",
            "label": "法定义务人（外居）/ legal supporter living elsewhere",
            "doc": "A person with a legal duty of support who lives outside the household.",
        },
    ],
)

Person = build_entity(
    key="person",
    plural="persons",
    label="个人 / person",
    doc="A natural person: a member of the household or one of its legal supporters.",
    is_person=True,
)

entities = [Household, Person]
