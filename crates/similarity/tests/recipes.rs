//! Numbers in recipes are content: a full rewording that keeps the parameters is a copy; the
//! same template wording with other parameters is not.

use shoumi_similarity::compare::{Options, compare};
use shoumi_similarity::{Document, EnterpriseKey, Index, Language};

const SECRET: &str = "高强度环氧胶粘剂 工艺配方（内部资料）
1. 将环氧树脂E-51 100份加入反应釜，升温至85℃，搅拌30分钟。
2. 加入固化剂35份，保持温度85℃，在真空度-0.095MPa下脱泡15分钟。
3. 加入气相二氧化硅2.5%，以1200 rpm分散20 min。
4. 降温至40℃后出料，用120目滤网过滤。
5. 固化条件：150℃保温2 h。
";

/// Every sentence rewritten (other words, other order, Chinese numerals, other unit spellings),
/// every parameter kept.
const REWORDED: &str = "胶粘剂生产要点
首先把一百份E-51型树脂投进釜里，加热到85摄氏度，然后搅拌三十分钟；
固化剂的用量是35份，温度仍然维持85 °C，抽真空到-0.095 MPa，除去气泡需要15 min；
分散阶段：转速1200 r/min，时间20分钟，气相白炭黑的添加量为百分之二点五。
冷却到40 ℃即可放料，过滤网为120目。
最后在150摄氏度下固化两小时（2 小时）。
";

/// The secret's wording, other parameters.
const TEMPLATE_OTHER: &str = "高强度环氧胶粘剂 工艺配方（内部资料）
1. 将环氧树脂E-44 80份加入反应釜，升温至70℃，搅拌45分钟。
2. 加入固化剂28份，保持温度70℃，在真空度-0.080MPa下脱泡10分钟。
3. 加入气相二氧化硅1.5%，以900 rpm分散30 min。
4. 降温至35℃后出料，用200目滤网过滤。
5. 固化条件：120℃保温4 h。
";

fn doc(name: &str, text: &str) -> Document {
    Document::from_text(name, Language::Text, text).unwrap()
}

#[test]
fn reworded_recipe_with_the_same_parameters_scores_high() {
    let c = compare(
        &doc("secret.txt", SECRET),
        &doc("reworded.txt", REWORDED),
        None,
        &Options::default(),
    );
    let p = c.parameters.as_ref().unwrap();
    assert!(p.left >= 14, "{p:?}");
    assert_eq!(
        p.shared, p.left,
        "every parameter of the secret is found: {p:?}"
    );
    assert!(c.left_containment >= 0.8, "{c:?}");
}

#[test]
fn same_template_with_other_parameters_scores_low() {
    let c = compare(
        &doc("secret.txt", SECRET),
        &doc("template.txt", TEMPLATE_OTHER),
        None,
        &Options::default(),
    );
    assert!(c.left_containment <= 0.3, "{c:?}");
    assert!(c.similarity <= 0.3, "{c:?}");
    // The wording itself is shared and shown.
    assert!(!c.matches.is_empty());
}

#[test]
fn reworded_copy_ranks_above_template_in_a_keyed_scan_too() {
    let key = EnterpriseKey::from_bytes([11; 32]);
    let fp = shoumi_similarity::fingerprint_file(&key, &[doc("secret.txt", SECRET)], None, &[]);
    let mut index = Index::new(&key);
    index.add("secret.fp", fp).unwrap();
    let copy = &index.scan(&doc("reworded.txt", REWORDED), None)[0];
    let other = &index.scan(&doc("template.txt", TEMPLATE_OTHER), None)[0];
    assert!(copy.left_containment >= 0.75, "{copy:?}");
    assert!(other.left_containment <= 0.3, "{other:?}");
}

#[test]
fn a_verbatim_copy_scores_one() {
    let c = compare(
        &doc("secret.txt", SECRET),
        &doc("copy.txt", SECRET),
        None,
        &Options::default(),
    );
    assert!((c.similarity - 1.0).abs() < 1e-9, "{c:?}");
    assert!((c.left_containment - 1.0).abs() < 1e-9);
}
