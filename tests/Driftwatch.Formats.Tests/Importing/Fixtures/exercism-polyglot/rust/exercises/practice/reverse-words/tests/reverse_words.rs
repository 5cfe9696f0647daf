use reverse_words::reverse_words;

#[test]
fn a_single_word_stays() {
    assert_eq!(reverse_words("hello"), "hello");
}

#[test]
#[ignore]
fn two_words_swap() {
    assert_eq!(reverse_words("hello world"), "world hello");
}

#[test]
#[ignore]
fn runs_of_whitespace_collapse() {
    assert_eq!(reverse_words("  the quick   fox "), "fox quick the");
}

#[test]
#[ignore]
fn an_empty_sentence_stays_empty() {
    assert_eq!(reverse_words(""), "");
}

#[test]
#[ignore]
fn words_keep_their_letters() {
    assert_eq!(reverse_words("Driftwatch tracks agents"), "agents tracks Driftwatch");
}
