import java.util.Arrays;
import java.util.stream.Collectors;

class Acronym {

    private final String acronym;

    Acronym(String phrase) {
        acronym = Arrays.stream(phrase.split("[\\s-]+"))
            .map(word -> word.replaceAll("[^A-Za-z]", ""))
            .filter(word -> !word.isEmpty())
            .map(word -> word.substring(0, 1).toUpperCase())
            .collect(Collectors.joining());
    }

    String get() {
        return acronym;
    }

}
