"""The campus demo's catalogue: schools and their sites, courses with descriptions (data only; demo.py builds it).

Coordinates are plausible points: 西湖区's sites lie within about 1–3 km of its bureau, units and stations
(orgs/demo.py COORDINATES), the other schools' near their city's or county's centre.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SiteSpec:
    suffix: str  # the site org's code is the school org's code + this
    name: str
    kind: str  # Site.Kind
    address: str
    lat: str
    lng: str
    rooms: str
    hours: str


@dataclass(frozen=True)
class CourseSpec:
    name: str
    category: str  # Category
    description: str
    after: str = ""  # the prerequisite's name (a course of the same school)


@dataclass(frozen=True)
class SchoolSpec:
    parent: str  # the org code the school's org sits under
    code: str
    name: str
    lat: str
    lng: str
    sites: list[SiteSpec]
    courses: list[str]  # names from COURSES
    returning_priority: bool = False
    terms: tuple[str, ...] = ("first_come",)  # which demo terms it runs: past, first_come, lottery
    teachers: tuple[str, ...] = field(default=("陈国华", "王秀英", "李建明", "张玉兰", "刘志伟", "周丽红"))


WORKDAY = "周一至周五 8:00–17:00"
MORNINGS = "周一至周六 8:30–11:30"

COURSES: dict[str, CourseSpec] = {
    c.name: c
    for c in (
        CourseSpec(
            "书法入门", "calligraphy", "从执笔、坐姿和基本笔画学起，临写颜真卿《多宝塔碑》，一学期写好常用字一百个。"
        ),
        CourseSpec(
            "书法提高班",
            "calligraphy",
            "在楷书基础上学习行书，临写王羲之《兰亭序》，学习章法与落款，学期末完成一幅完整作品。",
            after="书法入门",
        ),
        CourseSpec("国画山水", "calligraphy", "学习山石树木的基本画法和水墨浓淡，以西湖景色为题材，完成小品山水画。"),
        CourseSpec("合唱与发声", "singing", "科学发声、气息练习和多声部合唱，排练经典红歌与江南民歌，参加年终汇演。"),
        CourseSpec(
            "越剧唱腔", "singing", "学唱越剧经典选段，了解尹派、袁派等流派的唱腔特点，每学期排演一个折子戏片段。"
        ),
        CourseSpec("民族舞", "dance", "学习藏族、蒙古族、傣族等民族舞基本动作，节奏舒缓，适合零基础学员。"),
        CourseSpec(
            "二十四式太极拳", "taichi", "国家体育总局推广的简化太极拳，动作舒展，强调呼吸与平衡，防跌倒、强筋骨。"
        ),
        CourseSpec("太极扇", "taichi", "在太极拳基础上学习太极功夫扇，配乐练习，适合有一定基础的学员。"),
        CourseSpec(
            "手机摄影", "photography", "用手机拍出好照片：构图、光线、人像与风景，外拍西湖、西溪湿地，学修图与分享。"
        ),
        CourseSpec(
            "智能手机入门",
            "phone",
            "一对一耐心教：微信聊天和视频通话、健康码和医院挂号、网上缴费，识别常见电信诈骗。",
        ),
        CourseSpec("中医养生与慢病管理", "health", "由退休中医师授课：四季养生、穴位保健、高血压和糖尿病的日常管理。"),
        CourseSpec("杭州历史文化", "history", "从良渚到南宋临安，讲杭州的城市变迁、西湖名胜与人物故事，配合实地走读。"),
        CourseSpec(
            "唐诗宋词欣赏", "history", "精读唐诗宋词名篇，讲诗人生平和时代背景，学习吟诵，也尝试写几句自己的诗。"
        ),
        CourseSpec(
            "实用英语口语", "language", "从日常问候、问路、点餐学起，为出国探亲和旅游准备常用口语，发音慢、重复多。"
        ),
        CourseSpec("葫芦丝", "music", "葫芦丝指法和气息入门，学会《月光下的凤尾竹》等曲目，乐器可在学校借用。"),
    )
}

SCHOOLS: list[SchoolSpec] = [
    SchoolSpec(
        parent="330106",
        code="330106LD",
        name="西湖区老年大学",
        lat="30.277500",
        lng="120.132000",
        returning_priority=True,
        terms=("past", "first_come", "lottery"),
        courses=list(COURSES),
        sites=[
            SiteSpec(
                "01",
                "西湖区老年大学校本部",
                "campus",
                "杭州市西湖区文三路 148 号",
                "30.277500",
                "120.132000",
                "101, 102, 201, 202, 书画室, 多功能厅",
                WORKDAY,
            ),
            SiteSpec(
                "02",
                "西湖区老年大学古荡分校",
                "branch",
                "杭州市西湖区古墩路 83 号古荡街道文化中心三楼",
                "30.288000",
                "120.110000",
                "301, 302, 舞蹈房",
                WORKDAY,
            ),
            SiteSpec(
                "03",
                "城关社区家门口老年大学",
                "doorstep",
                "杭州市西湖区曙光路 56 号城关社区居家养老服务中心",
                "30.266500",
                "120.150000",
                "活动室, 阅览室",
                MORNINGS,
            ),
            SiteSpec(
                "04",
                "新村社区家门口老年大学",
                "doorstep",
                "杭州市西湖区三墩镇振华路 210 号新村社区文化家园",
                "30.296500",
                "120.101000",
                "一楼教室",
                MORNINGS,
            ),
            SiteSpec(
                "05",
                "文新家门口老年大学",
                "doorstep",
                "杭州市西湖区文新街道紫荆花路 39 号邻里中心二楼",
                "30.286000",
                "120.125000",
                "学习室, 排练厅",
                MORNINGS,
            ),
            SiteSpec(
                "06",
                "翠苑乐活驿站",
                "station",
                "杭州市西湖区翠苑街道文一西路 12 号",
                "30.280500",
                "120.123000",
                "乐活厅",
                "每天 8:00–20:00",
            ),
        ],
    ),
    SchoolSpec(
        parent="330000",
        code="330000LD",
        name="浙江老年大学",
        lat="30.283000",
        lng="120.156000",
        terms=("lottery",),
        courses=["书法入门", "国画山水", "越剧唱腔", "实用英语口语", "手机摄影", "唐诗宋词欣赏"],
        sites=[
            SiteSpec(
                "01",
                "浙江老年大学校本部",
                "campus",
                "杭州市拱墅区体育场路 300 号",
                "30.283000",
                "120.156000",
                "A101, A102, A201, 书画院, 音乐厅",
                WORKDAY,
            ),
            SiteSpec(
                "02",
                "浙江老年大学之江分校",
                "branch",
                "杭州市西湖区之江路 958 号",
                "30.205000",
                "120.150000",
                "一楼教室, 二楼教室",
                WORKDAY,
            ),
        ],
    ),
    SchoolSpec(
        parent="330100",
        code="330100LD",
        name="杭州老年大学",
        lat="30.291000",
        lng="120.166000",
        terms=("lottery",),
        courses=["书法入门", "合唱与发声", "民族舞", "二十四式太极拳", "智能手机入门", "中医养生与慢病管理"],
        sites=[
            SiteSpec(
                "01",
                "杭州老年大学校本部",
                "campus",
                "杭州市拱墅区潮王路 56 号",
                "30.291000",
                "120.166000",
                "101, 102, 103, 舞蹈厅, 合唱厅",
                WORKDAY,
            ),
            SiteSpec(
                "02",
                "杭州老年大学滨江分校",
                "branch",
                "杭州市滨江区江南大道 3850 号",
                "30.208000",
                "120.212000",
                "201, 202",
                WORKDAY,
            ),
        ],
    ),
    SchoolSpec(
        parent="330212",
        code="330212LD",
        name="鄞州区老年大学",
        lat="29.818000",
        lng="121.549000",
        courses=["书法入门", "二十四式太极拳", "智能手机入门", "越剧唱腔"],
        teachers=("胡海林", "沈素美", "俞永春"),
        sites=[
            SiteSpec(
                "01",
                "鄞州区老年大学校本部",
                "campus",
                "宁波市鄞州区天童南路 588 号",
                "29.818000",
                "121.549000",
                "101, 102, 多功能厅",
                WORKDAY,
            ),
            SiteSpec(
                "02",
                "钟公庙家门口老年大学",
                "doorstep",
                "宁波市鄞州区钟公庙街道泰安中路 120 号",
                "29.832000",
                "121.538000",
                "活动室",
                MORNINGS,
            ),
        ],
    ),
    SchoolSpec(
        parent="330302",
        code="330302LD",
        name="鹿城区老年大学",
        lat="28.020000",
        lng="120.660000",
        courses=["合唱与发声", "二十四式太极拳", "中医养生与慢病管理"],
        teachers=("林德海", "郑秀珍"),
        sites=[
            SiteSpec(
                "01",
                "鹿城区老年大学校本部",
                "campus",
                "温州市鹿城区府前街 68 号",
                "28.020000",
                "120.660000",
                "101, 201",
                WORKDAY,
            ),
            SiteSpec(
                "02",
                "五马乐活驿站",
                "station",
                "温州市鹿城区五马街道解放街 22 号",
                "28.012000",
                "120.648000",
                "乐活厅",
                "每天 8:00–20:00",
            ),
        ],
    ),
]
