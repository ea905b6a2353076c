//! Accounts: user names and the password policy.

use crate::validation::FieldError;

/// A login name: 2–40 characters of ASCII letters, digits, `.`, `_`, `-`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Username(String);

impl Username {
    pub fn parse(s: &str) -> Result<Username, FieldError> {
        let t = s.trim().to_ascii_lowercase();
        let ok_chars = t
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
        if t.len() < 2 || t.len() > 40 || !ok_chars {
            return Err(FieldError::new(
                "username",
                "invalid",
                "用户名为2–40位字母、数字、点、下划线或连字符",
                "a user name has 2–40 letters, digits, dots, underscores or hyphens",
            ));
        }
        Ok(Username(t))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The minimum a new password must meet: 10 characters and at least two character classes.
/// (Length matters more than classes; see NIST SP 800-63B §5.1.1.2. The class rule is the
/// common requirement of Chinese government intranets, 等保 2.0 identity authentication.)
pub fn check_new_password(field: &str, pw: &str) -> Result<(), FieldError> {
    let n = pw.chars().count();
    let classes = [
        pw.chars().any(|c| c.is_ascii_lowercase()),
        pw.chars().any(|c| c.is_ascii_uppercase()),
        pw.chars().any(|c| c.is_ascii_digit()),
        pw.chars().any(|c| !c.is_ascii_alphanumeric()),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    if n < 10 || classes < 2 {
        return Err(FieldError::new(
            field,
            "weak",
            "密码至少10位，且包含字母、数字、符号中的两类",
            "a password needs at least 10 characters of at least two kinds (letters, digits, symbols)",
        ));
    }
    if n > 200 {
        return Err(FieldError::too_long(field, 200));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_names_are_lower_cased_and_checked() {
        assert_eq!(
            Username::parse(" Enterprise-B ").unwrap().as_str(),
            "enterprise-b"
        );
        assert!(Username::parse("a").is_err());
        assert!(Username::parse("张三").is_err());
    }

    #[test]
    fn weak_passwords_are_refused() {
        assert!(check_new_password("password", "short1").is_err());
        assert!(check_new_password("password", "onlylettersss").is_err());
        assert!(check_new_password("password", "letters-and-1").is_ok());
    }
}
