class Acronym {

    Acronym(String phrase) {
        throw new UnsupportedOperationException("Delete this statement and write your own implementation.");
    }

    String get() {
        throw new UnsupportedOperationException("Delete this statement and write your own implementation.");
    }

}
