//! Enumerations that are stored as short English codes and shown in
//! Chinese or English. One macro describes each so that the code in the
//! database, the labels on screen and the words a user may type all come
//! from one place.

use crate::i18n::Lang;

/// An enumerated value with a stable database code and two labels.
pub trait Code: Sized + Copy + Eq + 'static {
    /// Every value, in display order.
    const ALL: &'static [Self];
    /// The code stored in SQLite (and in JSON output).
    fn code(self) -> &'static str;
    fn label_zh(self) -> &'static str;
    fn label_en(self) -> &'static str;
    /// Other words people type for this value (lower-case English, Chinese).
    fn aliases(self) -> &'static [&'static str];

    fn label(self, lang: Lang) -> &'static str {
        match lang {
            Lang::Zh => self.label_zh(),
            Lang::En => self.label_en(),
        }
    }

    /// Reads a value from its code, either label or an alias; case and
    /// surrounding space do not matter.
    fn parse(input: &str) -> Option<Self> {
        let t = input.trim();
        let lower = t.to_lowercase();
        Self::ALL.iter().copied().find(|v| {
            v.code() == lower
                || v.label_zh() == t
                || v.label_en().to_lowercase() == lower
                || v.aliases().iter().any(|a| *a == lower || *a == t)
        })
    }

    /// Reads a value stored in the database; unknown codes are a bug or a
    /// foreign write, reported by the caller.
    fn from_code(code: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.code() == code)
    }

    /// All codes joined for messages ("grain, oil, …").
    fn codes_list() -> String {
        Self::ALL
            .iter()
            .map(|v| v.code())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Declares an enum implementing [`Code`]:
/// `Variant => ("code", "中文", "English", ["alias", ...])`.
#[macro_export]
macro_rules! code_enum {
    ($(#[$meta:meta])* $vis:vis enum $name:ident {
        $($(#[$vmeta:meta])* $variant:ident => ($code:literal, $zh:literal, $en:literal, [$($alias:literal),* $(,)?])),+ $(,)?
    }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name { $($(#[$vmeta])* $variant),+ }

        impl $crate::domain::codes::Code for $name {
            const ALL: &'static [Self] = &[$($name::$variant),+];
            fn code(self) -> &'static str { match self { $($name::$variant => $code),+ } }
            fn label_zh(self) -> &'static str { match self { $($name::$variant => $zh),+ } }
            fn label_en(self) -> &'static str { match self { $($name::$variant => $en),+ } }
            fn aliases(self) -> &'static [&'static str] { match self { $($name::$variant => &[$($alias),*]),+ } }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str($crate::domain::codes::Code::code(*self))
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str($crate::domain::codes::Code::code(*self))
            }
        }
    };
}
