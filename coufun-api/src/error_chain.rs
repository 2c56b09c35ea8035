//! One way to print an error with its causes: [`ErrorChain`], for command lines,
//! logs and servers alike.

use std::error::Error;
use std::fmt;

/// Displays an error followed by each of its [`sources`](Error::source), joined
/// with `: ` (`error: cause: cause…`).
///
/// It adds nothing of its own, so what the errors keep out of their `Display`
/// (phone numbers, `POC_ID`) stays out of the chain.
///
/// ```
/// use coufun_api::ErrorChain;
///
/// #[derive(Debug, thiserror::Error)]
/// #[error("the catalogue cannot be read")]
/// struct Catalogue(#[source] std::io::Error);
///
/// let error = Catalogue(std::io::Error::other("permission denied"));
/// assert_eq!(
///     ErrorChain(&error).to_string(),
///     "the catalogue cannot be read: permission denied"
/// );
/// ```
#[derive(Clone, Copy)]
pub struct ErrorChain<'a>(pub &'a (dyn Error + 'a));

impl fmt::Display for ErrorChain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(cause) = source {
            write!(f, ": {cause}")?;
            source = cause.source();
        }
        Ok(())
    }
}

impl fmt::Debug for ErrorChain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Layer(&'static str, Option<Box<Layer>>);

    impl fmt::Display for Layer {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
    }

    impl Error for Layer {
        fn source(&self) -> Option<&(dyn Error + 'static)> {
            self.1.as_deref().map(|l| l as _)
        }
    }

    #[test]
    fn every_cause_follows_the_error_in_order() {
        let e = Layer(
            "a",
            Some(Box::new(Layer("b", Some(Box::new(Layer("c", None)))))),
        );
        assert_eq!(ErrorChain(&e).to_string(), "a: b: c");
        assert_eq!(ErrorChain(&Layer("alone", None)).to_string(), "alone");
    }
}
