//! The words a receipt or an invoice labels its fields with, in the languages the service documents
//! (English, German, French, Spanish, Italian, Portuguese, Dutch, and the Malay of SROIE's
//! receipts). Upper case, words separated by one space; matched word by word against a line, a
//! word's trailing ":" "." "#" ignored. Data, not code: a new label is a new entry.

/// What labels the amount that pays, strongest first.
pub const TOTAL: &[&str] = &[
    "GRAND TOTAL",
    "TOTAL DUE",
    "AMOUNT DUE",
    "BALANCE DUE",
    "TOTAL AMOUNT DUE",
    "TOTAL PAYABLE",
    "AMOUNT PAYABLE",
    "NETT TOTAL",
    "NET TOTAL",
    "TOTAL AMOUNT",
    "TOTAL SALES INCLUSIVE",
    "TOTAL INCL",
    "TOTAL INCLUSIVE",
    "ROUNDED TOTAL",
    "TOTAL ROUNDED",
    "TOTAL",
    "GESAMTBETRAG",
    "GESAMTSUMME",
    "ENDBETRAG",
    "SUMME",
    "TOTAL TTC",
    "MONTANT TOTAL",
    "NET A PAYER",
    "IMPORTE TOTAL",
    "TOTALE",
    "TOTAAL",
    "TE BETALEN",
    "JUMLAH",
    "JUMLAH BESAR",
];

/// Words that make a "total" something else: a count, a saving, an amount before tax.
pub const NOT_TOTAL: &[&str] = &[
    "SUB",
    "SUBTOTAL",
    "QTY",
    "QUANTITY",
    "ITEM",
    "ITEMS",
    "SAVING",
    "SAVINGS",
    "DISCOUNT",
    "DISC",
    "EXCL",
    "EXCLUDING",
    "EXCLUSIVE",
    "POINTS",
    "WEIGHT",
    "PCS",
    "UNITS",
    "HT",
    "NETTO",
    "BEFORE",
    // What was handed over, not what was due ("Accepted total 2.00" after "Total amount 1.50").
    "ACCEPTED",
    "TENDERED",
];

/// Taxes' names: after "total" they make it the tax ("Total GST"), unless the total includes
/// them ("Total incl. GST").
pub const TAX_WORDS: &[&str] = &[
    "TAX", "GST", "VAT", "SST", "MWST", "UST", "TVA", "IVA", "BTW",
];

/// Words saying a tax is included in an amount: "incl. GST 6%" names no tax amount of its own.
pub const INCLUSIVE: &[&str] = &[
    "INCL",
    "INCL.",
    "INCLUDING",
    "INCLUSIVE",
    "INC",
    "TOTAL",
    "OF",
];

/// The amount before tax.
pub const SUBTOTAL: &[&str] = &[
    "SUBTOTAL",
    "SUB TOTAL",
    "SUB-TOTAL",
    "TOTAL EXCL",
    "TOTAL EXCLUDING",
    "TOTAL SALES EXCLUDING",
    "TOTAL BEFORE TAX",
    "NET AMOUNT",
    "ZWISCHENSUMME",
    "NETTOBETRAG",
    "SOUS-TOTAL",
    "SOUS TOTAL",
    "TOTAL HT",
    "SUBTOTALE",
    "SUBTOTAAL",
];

/// The tax.
pub const TAX: &[&str] = &[
    "TOTAL TAX",
    "TOTAL INCLUDES",
    "TOTAL GST",
    "TOTAL VAT",
    "SALES TAX",
    "TAX AMOUNT",
    "GST AMOUNT",
    "VAT AMOUNT",
    "TAX",
    "GST",
    "VAT",
    "SST",
    "MWST",
    "UST",
    "TVA",
    "IVA",
    "BTW",
];

/// The invoice's or receipt's own number.
pub const INVOICE_ID: &[&str] = &[
    "INVOICE NO",
    "INVOICE NUMBER",
    "INVOICE #",
    "INVOICE",
    "INV NO",
    "INV #",
    "TAX INVOICE NO",
    "RECEIPT NO",
    "RECEIPT NUMBER",
    "RECEIPT #",
    "RECEIPT",
    "BILL NO",
    "CASH BILL NO",
    "DOC NO",
    "DOCUMENT NO",
    "RECHNUNGSNUMMER",
    "RECHNUNG NR",
    "RECHNUNGS-NR",
    "FACTURE N°",
    "N° FACTURE",
    "NUMERO DE FACTURE",
    "FACTURA N",
    "FACTURA NO",
    "FATTURA N",
    "FACTUURNUMMER",
    "NO RESIT",
];

/// The date the document was issued.
pub const DATE: &[&str] = &[
    "INVOICE DATE",
    "DATE OF ISSUE",
    "ISSUE DATE",
    "DATE ISSUED",
    "RECEIPT DATE",
    "DATE",
    "RECHNUNGSDATUM",
    "DATUM",
    "FECHA",
    "DATA",
    "TARIKH",
];

/// The date payment is due.
pub const DUE_DATE: &[&str] = &[
    "DUE DATE",
    "PAYMENT DUE",
    "DUE",
    "DATE DUE",
    "FÄLLIG",
    "FÄLLIGKEITSDATUM",
    "ECHEANCE",
    "ÉCHÉANCE",
    "VENCIMIENTO",
    "SCADENZA",
    "VERVALDATUM",
];

/// Words that make a document an invoice or a receipt (a letter or an article has none of them
/// and no labelled total).
pub const KIND: &[&str] = &[
    "INVOICE",
    "TAX INVOICE",
    "RECEIPT",
    "OFFICIAL RECEIPT",
    "CASH BILL",
    "CASH SALE",
    "BILL",
    "RECHNUNG",
    "QUITTUNG",
    "KASSENBON",
    "FACTURE",
    "REÇU",
    "FACTURA",
    "RECIBO",
    "FATTURA",
    "RICEVUTA",
    "FACTUUR",
    "BON",
    "RESIT",
];

/// Lines after the total: the payment, not the amount due.
pub const PAYMENT: &[&str] = &[
    "CASH",
    "CHANGE",
    "TENDERED",
    "TENDER",
    "PAID",
    "VISA",
    "MASTERCARD",
    "MASTER",
    "CARD",
    "CREDIT CARD",
    "BALANCE",
    "RÜCKGELD",
    "GEGEBEN",
    "RENDU",
    "CAMBIO",
];

/// A line holding any of these is no part of the vendor's name or address (a phone, a tax or
/// company registration, the document's own title, a greeting).
pub const NOT_VENDOR: &[&str] = &[
    "TEL",
    "TEL.",
    "PHONE",
    "FAX",
    "MOBILE",
    "EMAIL",
    "E-MAIL",
    "WWW",
    "HTTP",
    "GST",
    "GST NO",
    "GST REG",
    "GST ID",
    "SST",
    "VAT",
    "REG",
    "CO.REG",
    "COMPANY NO",
    "ROC",
    "BRN",
    "TAX",
    "INVOICE",
    "RECEIPT",
    "WELCOME",
    "THANK",
    "CASHIER",
    "DATE",
    "TIME",
    "TABLE",
    "BILL",
    "ORDER",
    "UST-IDNR",
    "STEUERNUMMER",
    "SIRET",
    "TVA",
    "NIF",
    "CIF",
    "P.IVA",
    "KVK",
    "BTW",
];

/// Item table headers: which column holds what.
pub const ITEM_DESCRIPTION: &[&str] = &[
    "DESCRIPTION",
    "ITEM",
    "ITEMS",
    "PRODUCT",
    "DESC",
    "PARTICULARS",
    "ARTICLE",
    "BEZEICHNUNG",
    "ARTIKEL",
    "DÉSIGNATION",
    "DESIGNATION",
    "BESCHREIBUNG",
    "LEISTUNG",
    "DESCRIPCIÓN",
    "DESCRIZIONE",
    "OMSCHRIJVING",
];
pub const ITEM_QUANTITY: &[&str] = &[
    "QTY",
    "QUANTITY",
    "Q'TY",
    "QTE",
    "QTÉ",
    "MENGE",
    "QUANTITÉ",
    "QUANTITE",
    "CANTIDAD",
    "QUANTITÀ",
    "AANTAL",
    "UNITS",
];
pub const ITEM_UNIT_PRICE: &[&str] = &[
    "UNIT PRICE",
    "PRICE",
    "RATE",
    "U/PRICE",
    "UNIT COST",
    "EINZELPREIS",
    "PRIX UNITAIRE",
    "PRECIO",
    "PREZZO",
    "PRIJS",
];
pub const ITEM_AMOUNT: &[&str] = &[
    "AMOUNT",
    "TOTAL",
    "AMT",
    "LINE TOTAL",
    "NET",
    "NET AMOUNT",
    "BETRAG",
    "GESAMT",
    "MONTANT",
    "IMPORTE",
    "IMPORTO",
    "BEDRAG",
];

/// Company forms that end a name and never begin one: a line starting with one ("CO. (M) SDN
/// BHD") is the end of the name printed on the line above ("POPULAR BOOK").
pub const TRAILING_FORMS: &[&str] = &[
    "CO", "CO.", "(M)", "SDN", "SDN.", "BHD", "BHD.", "S/B", "LTD", "LTD.", "LIMITED", "LLC",
    "INC", "INC.", "CORP", "CORP.", "GMBH", "PLC",
];

/// The forms of a limited company: a name ending in one is the legal vendor's, over a trade name
/// (`& CO.`, `ENTERPRISE`, `RESTAURANT`) printed near it.
pub const LEGAL_FORMS: &[&str] = &[
    "SDN BHD",
    "SDN. BHD.",
    "BHD",
    "BHD.",
    "S/B",
    "LTD",
    "LTD.",
    "LIMITED",
    "LLC",
    "INC",
    "INC.",
    "GMBH",
    "AG",
    "SARL",
    "SAS",
    "S.A.",
    "SRL",
    "S.R.L.",
    "B.V.",
    "PLC",
];

/// The other words that end a company's or a shop's name.
pub const TRADE_FORMS: &[&str] = &[
    "CORP",
    "CO",
    "CO.",
    "SA",
    "BV",
    "NV",
    "ENTERPRISE",
    "ENTERPRISES",
    "TRADING",
    "RESTAURANT",
    "STORE",
    "MART",
];

/// Company forms that end a vendor's name ("... SDN BHD"): a name running on to the next line ends
/// with one.
pub fn company_forms() -> impl Iterator<Item = &'static str> {
    LEGAL_FORMS.iter().chain(TRADE_FORMS).copied()
}

/// Whether `text` (upper case) is a company form.
pub fn is_company_form(text: &str) -> bool {
    company_forms().any(|f| f == text)
}
