//! [`XmlWriter`]: builds a response document's text for the generated
//! encoders, which the sandbox serves so that SDK and sandbox agree by
//! construction.

use super::FieldValue;

/// Builds the text of one flat XML document.
#[derive(Debug, Default)]
pub struct XmlWriter {
    out: String,
    scratch: String,
}

impl XmlWriter {
    /// An empty document with the declaration for `encoding_label`.
    pub fn with_declaration(encoding_label: &str) -> Self {
        let mut out = String::with_capacity(512);
        out.push_str("<?xml version=\"1.0\" encoding=\"");
        out.push_str(encoding_label);
        out.push_str("\"?>\n");
        XmlWriter {
            out,
            scratch: String::new(),
        }
    }

    /// Writes `<name>`.
    pub fn open(&mut self, name: &str) {
        self.out.push('<');
        self.out.push_str(name);
        self.out.push('>');
    }

    /// Writes `</name>`.
    pub fn close(&mut self, name: &str) {
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
    }

    /// Writes `<name>text</name>`, the text escaped.
    pub fn text_element(&mut self, name: &str, text: &str) {
        self.open(name);
        self.out.push_str(&quick_xml::escape::partial_escape(text));
        self.close(name);
    }

    /// Writes `<name>value</name>`, or the empty `<name></name>` for `None`
    /// (as the manuals' samples write an absent value).
    pub fn field<T: FieldValue>(&mut self, name: &str, value: Option<&T>) {
        self.scratch.clear();
        if let Some(value) = value {
            value.write_text(&mut self.scratch);
        }
        let text = std::mem::take(&mut self.scratch);
        self.text_element(name, &text);
        self.scratch = text;
    }

    /// The document's text.
    pub fn finish(self) -> String {
        self.out
    }
}
