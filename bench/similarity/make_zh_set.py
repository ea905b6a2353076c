#!/usr/bin/env python3
"""Builds the labelled Chinese technical-document set in crates/similarity/testdata/zh-tech.

    python3 bench/similarity/make_zh_set.py [SET_DIR]

Inputs (written by hand for this project): SET_DIR/originals/NN-FIELD-SLUG.txt (25 fictional
process documents of ten fields) and SET_DIR/reworded/NN-FIELD-SLUG.txt (each original fully
reworded and restructured by hand — prose made tables, tables made prose, other sentence
patterns — keeping every parameter value). Output: SET_DIR/suspects/*.txt and
SET_DIR/labels.tsv (original, suspect, label, level), paths relative to SET_DIR. Deterministic
(fixed seed, per-document random streams seeded from strings); standard library only.

Positive levels (label 1): reorder, synonym, noise, format, reword_same_params, combined, excerpt.
Negative levels (label 0): changed_numbers, same_field. See SET_DIR/README.md for the rules.

`--build-tmap` (needs `pip install opencc`) prints the simplified→traditional character map
below afresh from the texts; the generator itself never needs opencc.
"""
import os
import random
import re
import sys
from collections import Counter, OrderedDict

SEED = "shoumi-zh-tech-1"

# ------------------------------------------------------------------------------------------
# Synonyms: technical and common words of process documents and a plain alternative. Applied in
# one pass, longest key first, to every occurrence (so a swap such as 加热→升温, 升温→加温 is fine).
SYNONYMS = {
    "工艺": "流程", "加热": "升温", "升温": "加温", "保温": "恒温", "冷却": "降温", "降温": "冷却",
    "时间": "时长", "控制在": "维持在", "控制": "调控", "进行": "开展", "采用": "选用", "使用": "采用",
    "检查": "查看", "检测": "检验", "检验": "查验", "要求": "规定", "规定": "要求", "操作": "作业",
    "设备": "装置", "原料": "原材料", "加入": "投入", "添加": "掺加", "搅拌": "搅动", "溶液": "药液",
    "调整": "调节", "工件": "零件", "零件": "部件", "不得": "不准", "不大于": "不超出", "不超过": "不高于",
    "不低于": "不少于", "不少于": "至少为", "确保": "保证", "保证": "确保", "严禁": "禁止", "禁止": "严禁",
    "测量": "测定", "合格": "达标", "记录": "登记", "结束": "完毕", "缓慢": "慢速", "均匀": "均衡",
    "立即": "马上", "必须": "务必", "注意事项": "须知", "注意": "留意", "清洗": "洗涤", "干燥": "烘干",
    "烘干": "干燥", "压力": "压强", "速度": "速率", "转速": "转动速度", "表面": "外表", "产品": "制品",
    "成品": "制成品", "每班": "每个班次", "分批": "分次", "依次": "按顺序", "随后": "然后", "然后": "接着",
    "接着": "随即", "防止": "避免", "避免": "防止", "适用于": "适合用于", "范围": "区间", "处理": "处置",
    "分析": "化验", "补加": "补充", "维护": "保养", "生产": "制造", "配方": "配比", "参数": "数据",
    "设定": "设置", "保持": "维持", "方可": "才可以", "完全": "彻底", "迅速": "快速", "逐件": "逐个",
    "抽检": "抽查", "首件": "第一件", "每天": "每日", "每周": "每星期", "出炉": "离炉", "装炉": "进炉",
    "放置": "存放", "混合": "混匀", "工序": "工步", "步骤": "程序", "适用范围": "应用范围",
    "技术要求": "技术条件", "质量要求": "品质要求", "调节": "调整", "含量": "含有量", "规程": "规范",
    "说明": "介绍", "指标": "标准值", "用量": "用料量", "浓度": "浓度值", "温度": "温度值",
}

# Unrelated sentences for the noise level (administration, safety, training — the filler a
# copied document picks up, or that a copier adds on purpose).
NOISE_SENTENCES = [
    "本文件由技术部归口管理，未经批准不得复印或外传。",
    "车间每周五下午进行一次安全检查，发现隐患要当场整改并登记。",
    "新员工上岗前须参加三级安全教育，考试合格后方可独立上岗。",
    "各班组要做好交接班记录，交班人应向接班人说明设备运行情况。",
    "办公区域禁止吸烟，厂区内机动车限速每小时十五公里。",
    "食堂开饭时间为上午十一点半至下午一点，请各部门错峰就餐。",
    "本月起实行新的考勤制度，迟到三次按旷工半天处理。",
    "消防器材由安全员每月检查一次，任何人不得挪用或损坏。",
    "公司鼓励员工提出合理化建议，被采纳的建议按效益给予奖励。",
    "年度体检安排在下个月，具体时间由人事部另行通知。",
    "仓库物料按先进先出原则发放，领料须凭签字的领料单。",
    "劳保用品按岗位标准发放，损坏后以旧换新。",
    "质量月活动期间，各车间要组织一次质量知识竞赛。",
    "设备维修完毕后，维修人员应清理现场并在点检表上签字确认。",
    "厂区绿化由后勤部负责，请勿践踏草坪、攀折花木。",
    "节假日值班表已在公告栏张贴，值班人员须保持电话畅通。",
    "文件修订时应在修订记录中写明修订原因、内容和日期。",
    "来访人员须在门卫处登记，由接待部门派人陪同进入生产区。",
    "5S管理检查结果每月公布一次，连续三个月排名第一的班组给予表彰。",
    "电脑和打印机下班后应关闭电源，节约用电从每个人做起。",
    "培训结束后请在培训签到表上签名，培训记录归入个人档案。",
    "客户投诉由销售部登记后转质量部分析，三个工作日内给出答复。",
    "夏季高温期间车间配备防暑降温药品，请员工注意多饮水。",
    "本厂通过了质量管理体系认证，每年接受一次外部监督审核。",
]

FIELD_NAMES = {
    "heat": "热处理", "molding": "注塑", "plating": "电镀", "coating": "涂料", "bearing": "轴承装配",
    "chem": "化工合成", "welding": "焊接", "food": "食品调味品", "textile": "纺织印染", "paper": "造纸",
}

# Simplified → traditional characters for the texts here, made with OpenCC s2t (see --build-tmap);
# a character absent from the map stays as it is.
TMAP = (
    "与與业業丝絲两兩严嚴个個为爲书書于於产產仅僅从從仓倉价價会會传傳伤傷体體余餘侧側储儲兑兌兰蘭关關养養内內写寫农農冲衝况況"
    "净淨准準凉涼减減几幾凭憑则則别別刹剎剂劑剥剝办辦务務动動励勵劳勞势勢匀勻区區单單卫衛却卻厂廠压壓县縣参參双雙发發变變只隻"
    "台臺叶葉号號后後启啓员員周週响響喷噴围圍国國圆圓场場坏壞块塊垫墊声聲处處备備复復头頭夹夾奖獎奥奧学學实實审審宽寬对對导導"
    "将將尔爾层層属屬岗崗峰峯带帶干乾并並庆慶床牀库庫应應废廢开開异異张張强強归歸当當录錄彻徹径徑态態总總恒恆户戶才纔执執扩擴"
    "扬揚抛拋护護报報拧擰挂掛挡擋挥揮捞撈损損换換据據掺摻搅攪摆擺数數断斷无無旧舊时時旷曠显顯术術机機杀殺杂雜杆桿条條来來极極"
    "构構枪槍标標栏欄树樹样樣核覈档檔桥橋检檢横橫残殘毂轂毕畢气氣氢氫氩氬沟溝没沒沥瀝沪滬泽澤洁潔浆漿测測浓濃涂塗涤滌润潤淀澱"
    "渗滲温溫游遊湿溼溅濺滚滾滞滯滤濾灭滅灵靈炉爐点點烟菸烧燒热熱状狀独獨环環现現电電畅暢皂皁皱皺盐鹽监監盖蓋盘盤确確碱鹼离離"
    "种種积積稳穩窜竄窥窺竖豎竞競筛篩签簽篮籃糍餈紧緊红紅纤纖约約级級纯純纳納纵縱纶綸纸紙纹紋纺紡线線练練组組细細织織终終绍紹"
    "经經结結给給络絡统統继繼续續维維绿綠缓緩编編缘緣缝縫缩縮网網羟羥翘翹胶膠脑腦脱脫腌醃艺藝节節范範药藥蓝藍虽雖蚀蝕蜡蠟补補"
    "装裝见見观觀规規览覽触觸计計订訂认認让讓训訓议議记記许許设設访訪证證评評识識诉訴试試话話误誤说說请請读讀调調负負责責质質"
    "贴貼赛賽践踐车車转轉轮輪软軟轴軸轻輕载載辅輔辆輛输輸边邊达達过過运運还還这這进進连連迟遲适適选選酱醬酿釀采採释釋里裏针針"
    "钉釘钙鈣钛鈦钝鈍钟鐘钠鈉钡鋇钢鋼钨鎢钾鉀铁鐵铆鉚铈鈰铜銅铝鋁铬鉻银銀销銷锁鎖锅鍋锈鏽锌鋅错錯锥錐键鍵锻鍛镀鍍镍鎳镜鏡长長"
    "门門闪閃闭閉间間阀閥阔闊阳陽阴陰阶階险險随隨隐隱雾霧霉黴静靜顶頂项項顺順须須预預领領颈頸频頻颜顏风風飞飛饭飯饮飲饰飾马馬"
    "驱驅验驗骤驟麦麥黄黃齿齒"
)

CN_NUM = "一二三四五六七八九十"


# ------------------------------------------------------------------------------------------
def load_tmap():
    m = {}
    s = TMAP
    for i in range(0, len(s) - 1, 2):
        m[s[i]] = s[i + 1]
    return m


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def write(path, text):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def blocks_of(text):
    """Blocks separated by blank lines; each block a list of lines."""
    out, cur = [], []
    for line in text.strip("\n").split("\n"):
        if line.strip():
            cur.append(line)
        elif cur:
            out.append(cur)
            cur = []
    if cur:
        out.append(cur)
    return out


def join_blocks(blocks):
    return "\n\n".join("\n".join(b) for b in blocks) + "\n"


STEP = re.compile(r"^(\d+)\.\s*")
HEADING = re.compile(r"^[一二三四五六七八九十]+、")


def cn_numeral(n):
    if n <= 10:
        return CN_NUM[n - 1]
    return "十" + (CN_NUM[n - 11] if n > 10 else "")


# ------------------------------------------------------------------------------------------
# Numbers. A parameter value is a decimal number that is not part of a code (a word with ASCII
# letters such as GCr15, ER50-6, Sa2.5, Al(OH)3, g/m2), not a standard's number (GB/T 1234),
# not a leading list number ("3. ") and not zero-padded (08钢).
NUM = re.compile(r"\d+(?:\.\d+)?")
CODE_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-/()")
UNITS = {"mm", "min", "h", "s", "rpm", "MPa", "kPa", "Pa", "kN", "N", "g", "kg", "mg", "L", "mL", "A",
         "V", "Hz", "kHz", "kW", "W", "m", "cm", "dB", "HRC", "HB", "HV", "KU", "D", "U", "t", "d", "J"}
STANDARD = re.compile(r"(?:GB|JB|HG|QB|SB|YB|FZ)(?:/T)?\s*$")


def parameter_numbers(text):
    """[(start, end, string)] of the parameter values in text."""
    out = []
    for m in NUM.finditer(text):
        s, e = m.start(), m.end()
        # the code-like word around the number
        ws = s
        while ws > 0 and text[ws - 1] in CODE_CHARS:
            ws -= 1
        word_before = text[ws:s]
        if re.search(r"[A-Za-z)]", word_before):
            continue
        if s > 0 and text[s - 1] == "." and s > 1 and text[s - 2].isdigit():
            continue  # never the fraction of another match
        if STANDARD.search(text[max(0, s - 8):s]):
            continue
        line_start = text.rfind("\n", 0, s) + 1
        if text[line_start:s].strip() == "" and e < len(text) and text[e] == "." and \
                (e + 1 >= len(text) or not text[e + 1].isdigit()):
            continue  # "3. step"
        after = re.match(r"[A-Za-z]+", text[e:])
        if after and after.group(0) not in UNITS:
            continue  # 20CrMnTi, 42CrMo, 316L
        tok = m.group(0)
        if len(tok) > 1 and tok[0] == "0" and "." not in tok:
            continue
        out.append((s, e, tok))
    return out


def scaled(tok, f):
    """tok × f, rounded like tok (same decimals; integers to the step of their trailing zeros)."""
    dec = len(tok.split(".")[1]) if "." in tok else 0
    nv = float(tok) * f
    if dec:
        return f"{nv:.{dec}f}"
    zeros = len(tok) - len(tok.rstrip("0"))
    g = 10 ** min(zeros, len(tok) - 1)
    return str(int(max(g, round(nv / g) * g)))


def draw_factor(rng):
    return rng.uniform(0.65, 0.88) if rng.random() < 0.5 else rng.uniform(1.14, 1.45)


def bump(tok, up=True):
    """The next value of tok's precision above (or below) it."""
    dec = len(tok.split(".")[1]) if "." in tok else 0
    step = 10 ** -dec
    v = float(tok) + (step if up else -step)
    return f"{v:.{dec}f}" if dec else str(int(round(v)))


RANGE_SEP = re.compile(r"^\s*(?:%|℃|°C)?\s*[~～\-–至到]\s*$")


def change_numbers(text, rng):
    """Every parameter value changed by 12–45 % up or down (one new value per distinct value);
    the two ends of a range move by about the same factor and stay in order."""
    nums = parameter_numbers(text)
    mapping, factor_of = {}, {}
    prev = None
    for s, e, tok in nums:
        is_upper = prev is not None and RANGE_SEP.match(text[prev[1]:s]) and float(prev[2]) < float(tok)
        if tok not in mapping and float(tok) != 0:
            f = factor_of[prev[2]] * rng.uniform(0.97, 1.03) if is_upper and prev[2] in factor_of else draw_factor(rng)
            new = scaled(tok, f)
            for _ in range(50):
                if float(new) != float(tok) and float(new) > 0:
                    break
                f = draw_factor(rng)
                new = scaled(tok, f)
            else:
                new = bump(tok)
            mapping[tok], factor_of[tok] = new, f
        if is_upper and tok in mapping and prev[2] in mapping and float(mapping[tok]) <= float(mapping[prev[2]]):
            if tok not in factor_of or factor_of.get(tok) is None:
                pass
            mapping[tok] = bump(mapping[prev[2]])
            while float(mapping[tok]) == float(tok):
                mapping[tok] = bump(mapping[tok])
        prev = (s, e, tok)
    parts, last = [], 0
    for s, e, tok in nums:
        parts.append(text[last:s])
        parts.append(mapping.get(tok, tok))
        last = e
    parts.append(text[last:])
    return "".join(parts)


# ------------------------------------------------------------------------------------------
# Disguises.
def reorder(text, rng):
    bl = blocks_of(text)
    title, body = bl[0], bl[1:]
    new_body = body[:]
    for _ in range(20):
        rng.shuffle(new_body)
        if new_body != body or len(body) < 2:
            break
    out = [title]
    sec = 0
    for b in new_body:
        b = b[:]
        # renumber a Chinese heading
        if HEADING.match(b[0]):
            sec += 1
            b[0] = HEADING.sub(cn_numeral(sec) + "、", b[0])
        # shuffle numbered steps, renumber
        idx = [i for i, l in enumerate(b) if STEP.match(l)]
        if len(idx) > 1:
            steps = [STEP.sub("", b[i]) for i in idx]
            rng.shuffle(steps)
            for n, (i, s) in enumerate(zip(idx, steps), 1):
                b[i] = f"{n}. {s}"
        # shuffle table rows below the header
        tidx = [i for i, l in enumerate(b) if "\t" in l]
        if len(tidx) > 2:
            rows = [b[i] for i in tidx[1:]]
            rng.shuffle(rows)
            for i, r in zip(tidx[1:], rows):
                b[i] = r
        out.append(b)
    return join_blocks(out)


_SYN_RE = re.compile("|".join(sorted(map(re.escape, SYNONYMS), key=len, reverse=True)))


def synonym(text, rng=None):
    return _SYN_RE.sub(lambda m: SYNONYMS[m.group(0)], text)


def noise(text, rng, foreign_blocks):
    bl = blocks_of(text)
    target = int(len(text) * rng.uniform(0.45, 0.65))
    inserts = []
    fb = rng.choice(foreign_blocks)
    inserts.append(fb)
    added = sum(len(l) for l in fb)
    pool = NOISE_SENTENCES[:]
    rng.shuffle(pool)
    while added < target and pool:
        k = rng.randint(2, 3)
        para = "".join(pool[:k])
        pool = pool[k:]
        inserts.append([para])
        added += len(para)
    for ins in inserts:
        pos = rng.randint(1, len(bl))
        bl.insert(pos, ins)
    return join_blocks(bl)


def swap_width(ch):
    o = ord(ch)
    if 0x21 <= o <= 0x7E:
        return chr(o + 0xFEE0)
    if 0xFF01 <= o <= 0xFF5E:
        return chr(o - 0xFEE0)
    return {"。": ".", "、": ","}.get(ch, ch)


def fmt(text, rng, traditional, tmap):
    # full-width ↔ half-width (digits, Latin letters, punctuation), 。、 → . ,
    text = "".join(swap_width(c) if c not in "\n\t" else c for c in text)
    # table cells: other separators
    sep = rng.choice(["  ", " | ", "\u3000", " "])
    text = text.replace("\t", sep)
    # line breaks: hard-wrapped lines (as extracted from PDF) or one line per block; blank lines
    lines_out = []
    width = rng.randint(22, 34)
    style = rng.choice(["wrap", "wrap", "flat"])
    for b in blocks_of(text):
        if style == "wrap":
            for line in b:
                while len(line) > width:
                    lines_out.append(line[:width])
                    line = line[width:]
                lines_out.append(line)
            lines_out.append("" if rng.random() < 0.5 else "   ")
        else:
            lines_out.append(" ".join(b))
    text = "\n".join(lines_out).rstrip() + "\n"
    if traditional:
        text = "".join(tmap.get(c, c) for c in text)
    return text


def parameter_block(text):
    """The block with most parameter values (usually a table), without the title."""
    bl = blocks_of(text)[1:]
    return max(bl, key=lambda b: len(parameter_numbers("\n".join(b))))


def excerpt(host_text, block, rng):
    bl = blocks_of(host_text)
    pos = rng.randint(1, len(bl))
    bl.insert(pos, block)
    return join_blocks(bl)


# ------------------------------------------------------------------------------------------
def build_tmap(set_dir):
    import opencc  # noqa: only for --build-tmap
    conv = opencc.OpenCC("s2t")
    texts = []
    for sub in ("originals", "reworded"):
        d = os.path.join(set_dir, sub)
        texts += [read(os.path.join(d, f)) for f in sorted(os.listdir(d))]
    texts += NOISE_SENTENCES + list(SYNONYMS.values())
    pairs = Counter()
    for t in texts:
        tt = conv.convert(t)
        if len(tt) != len(t):
            continue
        for a, b in zip(t, tt):
            pairs[(a, b)] += 1
    best = {}
    for (a, b), n in pairs.most_common():
        best.setdefault(a, b)  # the commonest rendering of a in these texts, itself included
    s = "".join(a + b for a, b in sorted(best.items()) if a != b)
    print("TMAP = (")
    for i in range(0, len(s), 60):
        print(f'    "{s[i:i + 60]}"')
    print(")")


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    here = os.path.dirname(os.path.abspath(__file__))
    set_dir = args[0] if args else os.path.join(here, "..", "..", "crates", "similarity", "testdata", "zh-tech")
    set_dir = os.path.abspath(set_dir)
    if "--build-tmap" in sys.argv:
        build_tmap(set_dir)
        return
    tmap = load_tmap()
    odir, rdir, sdir = (os.path.join(set_dir, d) for d in ("originals", "reworded", "suspects"))
    os.makedirs(sdir, exist_ok=True)
    for f in os.listdir(sdir):
        if f.endswith(".txt"):
            os.remove(os.path.join(sdir, f))

    docs = OrderedDict()
    for f in sorted(os.listdir(odir)):
        if not f.endswith(".txt"):
            continue
        stem = f[:-4]
        num, field = stem.split("-")[:2]
        assert field in FIELD_NAMES, f"{f}: unknown field {field}"
        docs[stem] = dict(num=int(num), field=field, text=read(os.path.join(odir, f)),
                          reworded=read(os.path.join(rdir, f)))
    by_field = OrderedDict()
    for stem, d in docs.items():
        by_field.setdefault(d["field"], []).append(stem)
    assert all(len(v) >= 2 for v in by_field.values()), "every field needs two documents or more"

    # Every parameter value of an original must appear in its rewording.
    bad = 0
    for stem, d in docs.items():
        want = Counter(t for _, _, t in parameter_numbers(d["text"]))
        have = Counter(t for _, _, t in parameter_numbers(d["reworded"]))
        missing = want - have
        if missing:
            bad += 1
            print(f"{stem}: reworded text lacks values {dict(missing)}", file=sys.stderr)
    if bad:
        sys.exit(f"{bad} reworded documents lack parameter values of their originals")

    labels = []

    def rel(*p):
        return "/".join(p)

    def emit(stem, level, text, label, suffix=None):
        name = f"{stem}.{suffix or level}.txt"
        write(os.path.join(sdir, name), text)
        labels.append((rel("originals", stem + ".txt"), rel("suspects", name), label, level))

    for stem, d in docs.items():
        text = d["text"]

        def R(level):
            return random.Random(f"{SEED}:{stem}:{level}")

        trad = d["num"] % 2 == 1
        foreign = [b for s2, d2 in docs.items() if d2["field"] != d["field"]
                   for b in blocks_of(d2["text"])[1:] if sum(len(l) for l in b) > 80]
        emit(stem, "reorder", reorder(text, R("reorder")), 1)
        emit(stem, "synonym", synonym(text), 1)
        emit(stem, "noise", noise(text, R("noise"), foreign), 1)
        emit(stem, "format", fmt(text, R("format"), trad, tmap), 1)
        labels.append((rel("originals", stem + ".txt"), rel("reworded", stem + ".txt"), 1, "reword_same_params"))
        r = R("combined")
        emit(stem, "combined", fmt(noise(synonym(reorder(text, r)), r, foreign), r, not trad, tmap), 1)
        field_docs = by_field[d["field"]]
        host = field_docs[(field_docs.index(stem) + 1) % len(field_docs)]
        emit(stem, "excerpt", excerpt(docs[host]["text"], parameter_block(text), R("excerpt")), 1)
        changed = change_numbers(text, R("changed_numbers"))
        emit(stem, "changed_numbers", changed, 0)
        r = R("changed_numbers_disguised")
        emit(stem, "changed_numbers", fmt(synonym(changed), r, trad, tmap), 0, "changed_numbers_disguised")

    # same_field: every two originals of one field, and each original against the synonym
    # version of the next document of its field.
    for field, stems in by_field.items():
        for i, a in enumerate(stems):
            for b in stems[i + 1:]:
                labels.append((rel("originals", a + ".txt"), rel("originals", b + ".txt"), 0, "same_field"))
        for i, a in enumerate(stems):
            b = stems[(i + 1) % len(stems)]
            labels.append((rel("originals", a + ".txt"), rel("suspects", b + ".synonym.txt"), 0, "same_field"))

    with open(os.path.join(set_dir, "labels.tsv"), "w", encoding="utf-8", newline="\n") as f:
        f.write("original\tsuspect\tlabel\tlevel\n")
        for row in labels:
            f.write("\t".join(map(str, row)) + "\n")
    counts = Counter((l[3], l[2]) for l in labels)
    pos = sum(1 for l in labels if l[2] == 1)
    print(f"{len(docs)} originals, {len(labels)} pairs ({pos} positive, {len(labels) - pos} negative): "
          + ", ".join(f"{k[0]} {v}" for k, v in counts.items()), file=sys.stderr)


if __name__ == "__main__":
    main()
