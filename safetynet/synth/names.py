"""Vocabulary of the synthetic population: surnames with their frequency, given names by
generation and sex, place-name parts, illnesses, banks, employers.

Surname shares are rounded from the 2020 census publication (第七次全国人口普查 姓氏统计, top
100 cover about 85 % of the population). Given-name lists mimic the well-known fashions of each
generation (建国/秀英 → 伟/芳 → 浩然/子涵); a Zipf weighting makes the top names repeat, so
two-character full names such as 张伟 and 王芳 occur many times, as they do in real registers.
"""

from __future__ import annotations

import numpy as np

SURNAMES = (
    "王 7.25 李 7.19 张 6.83 刘 5.38 陈 4.53 杨 3.08 赵 2.29 黄 2.23 吴 2.05 周 1.89 徐 1.64 孙 1.54 马 1.49 "
    "朱 1.45 胡 1.32 郭 1.18 何 1.17 高 1.06 林 1.02 罗 0.88 郑 0.83 梁 0.82 谢 0.72 宋 0.70 唐 0.69 许 0.63 "
    "韩 0.62 冯 0.61 邓 0.61 曹 0.60 彭 0.58 曾 0.58 肖 0.57 田 0.55 董 0.52 袁 0.52 潘 0.51 于 0.51 蒋 0.49 "
    "蔡 0.48 余 0.48 杜 0.47 叶 0.46 程 0.45 苏 0.44 魏 0.43 吕 0.43 丁 0.42 任 0.41 沈 0.40 姚 0.39 卢 0.38 "
    "姜 0.37 崔 0.36 钟 0.35 谭 0.34 陆 0.33 汪 0.32 范 0.31 金 0.30 石 0.30 廖 0.29 贾 0.28 夏 0.27 韦 0.27 "
    "付 0.26 方 0.25 白 0.25 邹 0.24 孟 0.24 熊 0.23 秦 0.23 邱 0.22 江 0.22 尹 0.21 薛 0.21 闫 0.20 段 0.20 "
    "雷 0.19 侯 0.19 龙 0.18 史 0.18 陶 0.17 黎 0.17 贺 0.16 顾 0.16 毛 0.15 郝 0.15 龚 0.14 邵 0.14 万 0.13 "
    "钱 0.13 严 0.12 覃 0.12 武 0.12 戴 0.11 莫 0.11 孔 0.10 向 0.10 汤 0.10 欧阳 0.04 司马 0.01 诸葛 0.01"
).split()
SURNAME_LIST: tuple[str, ...] = tuple(SURNAMES[0::2])
SURNAME_P: np.ndarray = np.array([float(x) for x in SURNAMES[1::2]])
SURNAME_P = SURNAME_P / SURNAME_P.sum()

# Given names popular in each generation, most popular first. Index: (era, sex) where era 0 is
# born before 1960, 1 is 1960-79, 2 is 1980-99, 3 is 2000 and later; sex 0 female, 1 male.
_POPULAR = {
    (
        0,
        1,
    ): "建国 明 华 军 建华 国华 志明 德明 强 福 忠 林 海 山 建军 国强 振华 解放 长江 文明 德华 金生 根生 玉林 宝山 永福 贵 荣 发 福生",
    (
        0,
        0,
    ): "秀英 桂英 秀兰 玉兰 英 兰 桂兰 凤英 玉英 秀珍 淑珍 珍 桂芝 兰英 翠兰 玉梅 凤兰 秀荣 金花 淑英 美英 芳 梅 凤 花 霞",
    (
        1,
        1,
    ): "伟 勇 军 斌 强 平 刚 杰 涛 明 辉 建华 建平 志强 国庆 卫东 红军 建军 小平 立新 学军 俊 波 磊 峰 东 林 华",
    (1, 0): "丽 静 敏 燕 艳 红 霞 娟 芳 华 萍 玲 红梅 海燕 丽华 桂芳 春梅 晓红 秀梅 丽娟 艳红 英 梅 琴 莉",
    (
        2,
        1,
    ): "伟 磊 勇 杰 涛 超 鹏 浩 亮 强 军 洋 帅 鑫 斌 宇 刚 健 俊杰 志强 建军 海涛 晓东 文杰 子龙 鹏飞 永强 佳伟 龙 飞",
    (2, 0): "芳 静 丽 敏 婷 娟 燕 艳 颖 雪 慧 玲 倩 晶 佳 丹 晓燕 丽娜 婷婷 佳丽 雪梅 晓丽 静怡 琳 欢 洁",
    (
        3,
        1,
    ): "浩然 宇轩 梓轩 浩宇 子轩 俊熙 睿 轩 昊 博文 宇航 子墨 皓轩 明轩 梓豪 铭 泽宇 天佑 一鸣 思远 嘉豪 宇 晨 阳",
    (
        3,
        0,
    ): "子涵 欣怡 梓涵 诗涵 雨涵 一诺 可馨 思涵 梦瑶 语桐 紫涵 雨欣 佳怡 依诺 若汐 欣妍 梓萱 悦 琪 萱 怡 涵 雨桐 佳琪",
}
# Characters combined freely for the long tail of two-character given names.
_FIRST = {
    1: "志 建 国 文 海 宏 俊 永 明 晓 子 浩 宇 家 嘉 天 立 振 德 金",
    0: "秀 丽 春 海 晓 雪 玉 美 静 淑 佳 雨 欣 梦 思 慧 雅 月 冬 凤",
}
_SECOND = {
    1: "华 明 强 军 伟 平 杰 涛 峰 龙 东 林 斌 辉 波 飞 鹏 刚 成 江 亮 生",
    0: "英 兰 芳 梅 华 红 燕 霞 丽 娟 玲 敏 婷 琳 怡 洁 萍 琴 霞 云 珍 莲",
}
# Share of given names drawn from the popular list (the rest are combinations): the popular
# lists carry the repetition.
POPULAR_SHARE = 0.7


def given_name_vocabulary(era: int, sex: int) -> tuple[list[str], np.ndarray]:
    """Given names for one generation and sex with their probabilities."""
    popular = _POPULAR[(era, sex)].split()
    zipf = 1.0 / np.arange(1, len(popular) + 1) ** 0.9
    combos = sorted(
        {a + b for a in _FIRST[sex].split() for b in _SECOND[sex].split() if a != b} - set(popular)
    )
    names = popular + combos
    p = np.concatenate(
        [zipf / zipf.sum() * POPULAR_SHARE, np.full(len(combos), (1 - POPULAR_SHARE) / len(combos))]
    )
    return names, p


def era_of_birth_year(year: np.ndarray) -> np.ndarray:
    return np.select([year < 1960, year < 1980, year < 2000], [0, 1, 2], 3)


# Place names of the demo county (fixed, so codes and names stay the same whatever the seed).
TOWNSHIP_NAMES = (
    ("城关街道", "urban"),
    ("东城街道", "urban"),
    ("西城街道", "urban"),
    ("南湖街道", "urban"),
    ("河口镇", "rural"),
    ("石桥镇", "rural"),
    ("柳林镇", "rural"),
    ("白马镇", "rural"),
    ("青山乡", "rural"),
    ("龙泉乡", "rural"),
    ("桃源乡", "rural"),
    ("双河乡", "rural"),
)
COMMUNITY_PARTS = "幸福 和平 建设 新华 人民 光明 朝阳 胜利 文化 长安 滨河 锦绣 康乐 民主 丰收 振兴 育才 东风 友谊 团结".split()
VILLAGE_PARTS = "王家 李家 张庄 刘营 陈湾 杨树 赵集 黄土 吴岗 周寨 徐楼 孙店 马坊 朱桥 胡岭 郭庄 何湾 高庙 林场 罗湖 大柳 小河 东岗 西洼 南坡 北沟 前营 后寨 上庄 下湾 桃花 杏园 梨树 枣林 松山 竹园 石门 金沟 银杏 新庄".split()
VILLAGE_SUFFIX = "村"
ROADS = "人民路 解放路 建设路 中山路 文化路 幸福路 和平路 新华路 长江路 黄河路 青年路 工业路 滨河路 府前街 健康路".split()

# Other counties' 6-digit codes used as birthplaces in identity numbers (same province mostly,
# a few neighbouring provinces). 320111 is left out on purpose: the shared test personas use it.
OTHER_COUNTIES = (
    "320102",
    "320104",
    "320105",
    "320106",
    "320113",
    "320114",
    "320115",
    "320116",
    "320117",
    "320118",
    "320121",
    "320124",
    "321023",
    "321081",
    "320826",
    "341122",
    "341124",
    "341181",
    "370882",
    "410526",
)
# Districts the legal supporters living elsewhere live in (for their addresses).
ELSEWHERE = (
    "示范市鼓楼区",
    "示范市玄武区",
    "示范市江宁区",
    "苏州市吴中区",
    "上海市闵行区",
    "杭州市余杭区",
    "合肥市蜀山区",
    "示范市浦口区",
)

ILLNESSES = (
    "恶性肿瘤",
    "尿毒症（终末期肾病）",
    "白血病",
    "重性精神病",
    "耐多药肺结核",
    "慢性心力衰竭",
    "脑卒中后遗症",
    "血友病",
    "肝硬化失代偿期",
    "先天性心脏病",
)
ILLNESS_P = np.array([0.34, 0.14, 0.06, 0.1, 0.02, 0.1, 0.14, 0.01, 0.05, 0.04])

BANKS = (
    ("中国农业银行", "622848"),
    ("农村商业银行", "622319"),
    ("中国邮政储蓄银行", "621799"),
    ("中国工商银行", "621226"),
    ("中国建设银行", "621700"),
    ("中国银行", "621661"),
)
BANK_P_RURAL = np.array([0.35, 0.35, 0.2, 0.04, 0.03, 0.03])
BANK_P_URBAN = np.array([0.15, 0.15, 0.1, 0.25, 0.2, 0.15])

PHONE_PREFIXES = np.array(
    [
        130,
        131,
        132,
        133,
        135,
        136,
        137,
        138,
        139,
        150,
        151,
        152,
        153,
        155,
        156,
        157,
        158,
        159,
        166,
        173,
        177,
        180,
        181,
        182,
        183,
        185,
        186,
        187,
        188,
        189,
        191,
        198,
        199,
    ]
)

EMPLOYERS = (
    "示范县{}机械有限公司",
    "示范县{}纺织有限公司",
    "示范县{}食品有限公司",
    "示范县{}建筑工程有限公司",
    "示范县{}物流有限公司",
    "示范县{}商贸有限公司",
    "示范县{}电子科技有限公司",
    "示范县{}农业发展有限公司",
)
PUBLIC_EMPLOYERS = (
    "示范县人民医院",
    "示范县第一中学",
    "示范县实验小学",
    "示范县人民政府办公室",
    "示范县公安局",
    "示范县财政局",
    "示范县自然资源局",
    "示范县中医院",
    "示范县第二中学",
    "示范县税务局",
)
HOSPITALS = (
    "示范县人民医院",
    "示范县中医院",
    "示范市第一人民医院",
    "示范省人民医院",
    "示范市肿瘤医院",
    "乡镇卫生院",
)
SCHOOLS = {
    "primary": "示范县实验小学",
    "junior": "示范县第一初级中学",
    "senior": "示范县第一中学",
    "vocational": "示范县职业教育中心",
    "undergraduate": "示范省示范大学",
    "postgraduate": "示范省示范大学",
    "preschool": "示范县中心幼儿园",
}
VEHICLE_BRANDS = (
    "五菱宏光",
    "大众朗逸",
    "丰田卡罗拉",
    "本田雅阁",
    "比亚迪秦",
    "吉利帝豪",
    "长安CS75",
    "哈弗H6",
    "日产轩逸",
    "别克英朗",
)
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
PLATE_PREFIX = "苏K"
BROKERS = ("华泰证券", "国泰君安", "中信证券", "东方财富证券", "南京证券")
INSURERS = ("中国人寿", "中国平安", "太平洋保险", "新华保险", "泰康人寿")
PAYMENT_PLATFORMS = ("支付宝", "财付通（微信支付）", "京东支付", "云闪付")
FUNERAL_HOMES = ("示范县殡仪馆", "示范市殡仪馆")
