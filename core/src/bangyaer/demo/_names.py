"""Names for the demo district: common Chinese names and Hangzhou-flavoured schools.

The schools are made up from West Lake and Qiantang place names; any
likeness to a real school's name is the place's, not the school's.
"""

from __future__ import annotations

import random

DISTRICT_CODE = "demo"
DISTRICT_NAME = "钱江区少年宫"

# (code, name, stage); codes are what `bangyaer users create --school` takes.
SCHOOLS: tuple[tuple[str, str, str], ...] = (
    ("K01", "柳浪幼儿园", "kindergarten"),
    ("K02", "南山路幼儿园", "kindergarten"),
    ("P01", "湖滨实验小学", "primary"),
    ("P02", "钱江新城小学", "primary"),
    ("P03", "凤凰山小学", "primary"),
    ("P04", "清波门小学", "primary"),
    ("P05", "望江小学", "primary"),
    ("P06", "吴山小学", "primary"),
    ("P07", "运河实验小学", "primary"),
    ("M01", "钱塘江初级中学", "middle"),
    ("M02", "西子湖中学", "middle"),
    ("M03", "紫阳山实验中学", "middle"),
)

# The commonest surnames, weighted roughly as they occur in Zhejiang.
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
            "于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方邹熊白孟秦邱江")
_WEIGHTED = SURNAMES[:10] * 4 + SURNAMES[10:30] * 2 + SURNAMES[30:]

BOY_CHARS = "浩宇轩子涵博文泽俊辰睿航一诺铭昊然皓杰奕晨嘉乐鹏程天佑思远明哲"
GIRL_CHARS = "梓涵欣怡可馨雨萱诗琪子墨语桐若汐佳怡思彤一诺依晨梦瑶雅静紫萱晓"
ADULT_MALE = "建国伟强军磊勇涛斌超明刚平辉鹏华飞鑫波宁杰志文海峰"
ADULT_FEMALE = "丽芳娜静敏燕艳玲霞婷雪慧琳颖莉红娟秀英梅兰凤洁倩"


def surname(rng: random.Random) -> str:
    return rng.choice(_WEIGHTED)


def given_name(rng: random.Random, chars: str) -> str:
    # About a third of children's given names have one character, as in recent cohorts.
    count = 1 if rng.random() < 0.33 else 2
    return "".join(rng.choice(chars) for _ in range(count))


def child_name(rng: random.Random, family: str, gender: str) -> str:
    return family + given_name(rng, BOY_CHARS if gender == "M" else GIRL_CHARS)


def adult_name(rng: random.Random, family: str, gender: str) -> str:
    return family + given_name(rng, ADULT_MALE if gender == "M" else ADULT_FEMALE)


def phone(rng: random.Random, taken: set[str]) -> str:
    """A mobile number not used before in this demo.

    All in 138-00xx-xxxx, the block of the well-known example number
    13800138000, so that a demo number reads as one at a glance.
    """
    while True:
        number = "13800" + "".join(rng.choice("0123456789") for _ in range(6))
        if number not in taken:
            taken.add(number)
            return number
