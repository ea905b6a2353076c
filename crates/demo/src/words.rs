//! Word banks the generators compose names from.
//!
//! The brand characters are deliberately uncommon in company names, so a composed 字号 is very
//! unlikely to be a real firm's; [`DENIED_BRANDS`] lists real brands the output must never hold.

/// First characters of an invented 字号 (brand name).
pub(crate) const BRAND_FIRST: &[&str] = &[
    "琮", "砚", "澄", "翊", "珩", "昶", "筠", "渟", "璟", "瑄", "岫", "琅", "棠", "苒", "芃", "湜",
    "霁", "蓁", "珂", "锴", "沅", "芷", "檀", "溱", "峤", "璞", "钤", "琬", "暄", "晗", "柘", "荇",
    "菡", "樾", "赭", "黛", "砾", "汀", "蘅", "槿",
];

/// Second characters of an invented 字号.
pub(crate) const BRAND_SECOND: &[&str] = &[
    "岚", "禾", "泓", "川", "溪", "源", "岳", "衡", "梧", "柯", "湄", "瑜", "琛", "序", "宸", "屹",
    "峻", "舟", "澜", "芮", "钧", "霖", "杉", "楹", "岑", "璋", "麓", "渚", "桉", "棣", "砺", "苓",
    "篁", "垚", "珈",
];

/// Real companies' 字号 in Gaotang, Liaocheng and Shandong (and a few national brands): no
/// generated name may contain one, so demo data is never mistaken for a real firm's record.
pub const DENIED_BRANDS: &[&str] = &[
    "时风",
    "泉林",
    "蓝山",
    "金鼎",
    "鲁西",
    "信发",
    "祥光",
    "凤祥",
    "中通",
    "东阿",
    "阿胶",
    "景阳冈",
    "乖宝",
    "华泰",
    "鲁花",
    "魏桥",
    "万华",
    "晨鸣",
    "潍柴",
    "浪潮",
    "海尔",
    "海信",
    "玲珑",
    "鲁泰",
    "孚日",
    "如意",
    "金锣",
    "得利斯",
    "龙大",
    "华鲁",
    "鲁能",
    "鲁抗",
    "兖矿",
    "山推",
    "张裕",
    "青啤",
    "三角",
    "鑫亚",
    "昌润",
    "恒通",
    "华通",
    "华为",
    "腾讯",
    "阿里",
    "茅台",
    "瑞禾",
    "禾润",
];

/// Names of prominent public figures a random name must not reproduce.
pub(crate) const DENIED_PERSONS: &[&str] = &[
    "李强",
    "王毅",
    "刘鹤",
    "韩正",
    "李希",
    "蔡奇",
    "赵乐际",
    "王沪宁",
    "丁薛祥",
    "李克强",
    "王岐山",
    "胡春华",
    "汪洋",
    "张军",
    "王勇",
    "刘国中",
    "陈敏",
    "李斌",
];

/// Surnames, the most common first so a skewed pick looks natural.
pub(crate) const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁",
    "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "石", "廖", "贾", "夏", "付",
    "方", "白", "邹", "孟", "秦", "邱", "尹", "薛", "闫", "段", "侯", "史", "陶", "贺", "毛", "郝",
    "邵", "武", "孔", "庞", "牛", "耿", "聂", "房", "鲍", "桑",
];

/// Characters of given names.
pub(crate) const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀", "霞", "平", "刚", "桂", "英", "玉", "萍", "红", "建", "文", "辉", "力", "鹏", "宇",
    "浩", "凯", "琳", "雪", "晨", "欣", "悦", "子", "梓", "轩", "博", "思", "佳", "嘉", "铭", "婷",
    "倩", "晓", "亮", "志", "海", "庆", "春", "东", "立", "斌", "峰", "颖", "云", "楠", "岩", "宁",
    "彬", "帅", "震", "蕾", "慧", "兰", "凤", "燕", "冬", "松", "林", "振", "永", "昊", "玮", "瑶",
];

/// Characters for invented place names (counties, towns, streets, roads).
pub(crate) const PLACE: &[&str] = &[
    "安", "宁", "平", "兴", "和", "丰", "泽", "河", "桥", "庄", "集", "店", "屯", "寨", "营", "堡",
    "坡", "岭", "湖", "泉", "清", "柳", "槐", "杏", "桑", "梨", "枣", "苇", "芦", "荷", "渠", "湾",
    "滩", "洼", "沙", "岗", "台", "塘", "堤", "圩", "埠", "口", "阳", "阴", "东", "西", "南", "北",
    "前", "后", "大", "小", "新", "古", "永", "长", "太", "广", "福", "康", "顺", "昌", "乐", "义",
];

/// Road names for addresses (generic, found in many towns).
pub(crate) const ROADS: &[&str] = &[
    "兴业路",
    "工业路",
    "创业路",
    "富民路",
    "康宁路",
    "长青路",
    "双河路",
    "中兴路",
    "建设路",
    "文昌路",
    "育才路",
    "振华街",
    "通达路",
    "春晖路",
    "丰收路",
    "安平街",
    "迎宾路",
    "顺河路",
    "纬三路",
    "经二路",
    "纬五路",
    "经六路",
    "科创路",
    "智造路",
];

/// Job titles of people in an enterprise, as a protection programme meets them.
pub const TITLES: &[&str] = &[
    "总经理",
    "副总经理",
    "技术总监",
    "研发工程师",
    "工艺工程师",
    "生产主管",
    "质量经理",
    "销售经理",
    "采购主管",
    "财务主管",
    "人事经理",
    "法务专员",
    "保密管理员",
    "信息安全专员",
    "办公室主任",
    "技术员",
];
