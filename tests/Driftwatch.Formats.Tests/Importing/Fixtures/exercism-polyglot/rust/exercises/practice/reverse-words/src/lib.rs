pub fn reverse_words(sentence: &str) -> String {
    todo!("reverse the words of {sentence:?}")
}
