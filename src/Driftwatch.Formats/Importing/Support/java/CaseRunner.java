import java.io.IOException;
import java.io.PrintWriter;
import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;

/**
 * Runs input/output cases against a static Java method and writes a JUnit XML report.
 *
 * <p>Driftwatch copies this file into the workspace (as .driftwatch/java/CaseRunner.java) with the
 * hidden tests of imported QuixBugs Java tasks. Each line of the cases file is a JSON array
 * {@code [arguments, expected]}; the arguments are converted to the method's parameter types
 * (int, long, double, boolean, String, char, their boxes, arrays, List/ArrayList of those, Object),
 * the method is called, and its result compared with the expected value: numbers by value (within
 * a tolerance taken from one argument when asked), lists element by element, a String result with
 * Java's rendering of an expected list ("[1, 2]"), and any other object as the list of its fields.
 *
 * <p>Usage: {@code java CaseRunner CLASS METHOD CASES_FILE [--tolerance-argument N] [--case-timeout SECONDS]}.
 * Writes JUnit XML to $DRIFTWATCH_JUNIT and exits 0 only when every case passed. A case that runs
 * past its timeout fails, and so do the cases after it without running: a Java thread cannot be
 * stopped, and a program that hangs once usually hangs again.
 */
public final class CaseRunner {
    private CaseRunner() {
    }

    private record Outcome(String name, String failure, double seconds) {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: CaseRunner CLASS METHOD CASES_FILE [--tolerance-argument N] [--case-timeout SECONDS]");
            System.exit(2);
        }
        Integer toleranceArgument = null;
        double caseTimeout = 10;
        for (int i = 3; i + 1 < args.length; i += 2) {
            if (args[i].equals("--tolerance-argument")) {
                toleranceArgument = Integer.parseInt(args[i + 1]);
            } else if (args[i].equals("--case-timeout")) {
                caseTimeout = Double.parseDouble(args[i + 1]);
            }
        }
        List<String> lines = Files.readAllLines(Path.of(args[2]), StandardCharsets.UTF_8);
        List<Outcome> outcomes = new ArrayList<>();
        String hung = null;
        int number = 0;
        for (String line : lines) {
            number++;
            if (line.isBlank()) {
                continue;
            }
            String name = String.format("test_%03d_line_%d", outcomes.size() + 1, number);
            if (hung != null) {
                outcomes.add(new Outcome(name, "not run: " + hung + " ran out of time", 0));
                continue;
            }
            long start = System.nanoTime();
            String failure = runCase(args[0], args[1], line, toleranceArgument, caseTimeout);
            if (failure != null && failure.startsWith("timeout")) {
                hung = name;
            }
            outcomes.add(new Outcome(name, failure, (System.nanoTime() - start) / 1e9));
            System.err.println(name + " ... " + (failure == null ? "ok" : "FAIL: " + failure));
        }
        writeReport(args[0], outcomes);
        long failed = outcomes.stream().filter(o -> o.failure() != null).count();
        System.err.println((outcomes.size() - failed) + " of " + outcomes.size() + " cases passed");
        System.out.flush();
        System.err.flush();
        // Threads of cases that ran out of time may still be running: leave without them.
        Runtime.getRuntime().halt(failed == 0 && !outcomes.isEmpty() ? 0 : 1);
    }

    /** Null when the case passed, else why it failed. */
    private static String runCase(String className, String methodName, String line, Integer toleranceArgument, double timeoutSeconds) {
        Object[] result = new Object[1];
        Throwable[] error = new Throwable[1];
        List<Object> testCase;
        try {
            testCase = asList(new Json(line).parse());
        } catch (RuntimeException e) {
            return "bad case: " + e.getMessage();
        }
        List<Object> arguments = testCase.get(0) instanceof List<?> ? asList(testCase.get(0)) : List.of(testCase.get(0));
        Object expected = testCase.get(1);
        Thread worker = new Thread(() -> {
            try {
                Method method = findMethod(Class.forName(className), methodName, arguments.size());
                Type[] types = method.getGenericParameterTypes();
                Object[] converted = new Object[types.length];
                for (int i = 0; i < types.length; i++) {
                    converted[i] = convert(arguments.get(i), types[i]);
                }
                result[0] = method.invoke(null, converted);
            } catch (InvocationTargetException e) {
                error[0] = e.getCause();
            } catch (Throwable e) {
                error[0] = e;
            }
        });
        worker.setDaemon(true);
        worker.start();
        try {
            worker.join((long) (timeoutSeconds * 1000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String call = methodName + "(" + shorten(render(arguments)) + ")";
        if (worker.isAlive()) {
            return "timeout: " + call + " ran longer than " + timeoutSeconds + " s";
        }
        if (error[0] != null) {
            return call + " threw " + error[0];
        }
        Double tolerance = toleranceArgument == null ? null
            : ((Number) arguments.get(Math.floorMod(toleranceArgument, arguments.size()))).doubleValue();
        return matches(result[0], expected, tolerance) ? null
            : call + " returned " + shorten(render(result[0])) + ", expected " + shorten(render(expected));
    }

    private static Method findMethod(Class<?> type, String name, int arity) throws NoSuchMethodException {
        for (Method method : type.getMethods()) {
            if (method.getName().equals(name) && Modifier.isStatic(method.getModifiers()) && method.getParameterCount() == arity) {
                return method;
            }
        }
        throw new NoSuchMethodException("no public static " + name + " with " + arity + " parameters in " + type.getName());
    }

    // ---- arguments: JSON values to the parameter types ----

    private static Object convert(Object value, Type type) {
        if (type instanceof ParameterizedType parameterized) {
            Type raw = parameterized.getRawType();
            if (raw instanceof Class<?> rawClass && Collection.class.isAssignableFrom(rawClass)) {
                List<Object> list = new ArrayList<>();
                for (Object item : asList(value)) {
                    list.add(convert(item, parameterized.getActualTypeArguments()[0]));
                }
                return list;
            }
            throw new IllegalArgumentException("unsupported parameter type " + type);
        }
        if (!(type instanceof Class<?> target)) {
            return natural(value);
        }
        if (target.isArray()) {
            List<Object> items = asList(value);
            Object array = Array.newInstance(target.getComponentType(), items.size());
            for (int i = 0; i < items.size(); i++) {
                Array.set(array, i, convert(items.get(i), target.getComponentType()));
            }
            return array;
        }
        if (target == int.class || target == Integer.class) {
            return Math.toIntExact(((Number) value).longValue());
        }
        if (target == long.class || target == Long.class) {
            return ((Number) value).longValue();
        }
        if (target == double.class || target == Double.class) {
            return ((Number) value).doubleValue();
        }
        if (target == float.class || target == Float.class) {
            return ((Number) value).floatValue();
        }
        if (target == boolean.class || target == Boolean.class) {
            return (Boolean) value;
        }
        if (target == char.class || target == Character.class) {
            String text = (String) value;
            if (text.length() != 1) {
                throw new IllegalArgumentException("expected one character, got \"" + text + "\"");
            }
            return text.charAt(0);
        }
        if (target == String.class) {
            return (String) value;
        }
        if (Collection.class.isAssignableFrom(target) || target == Object.class) {
            return natural(value);
        }
        throw new IllegalArgumentException("unsupported parameter type " + target.getName());
    }

    /** JSON without a declared type: whole numbers as Integer (Long when too big), lists as ArrayList. */
    private static Object natural(Object value) {
        if (value instanceof Long number && number >= Integer.MIN_VALUE && number <= Integer.MAX_VALUE) {
            return number.intValue();
        }
        if (value instanceof List<?> items) {
            List<Object> list = new ArrayList<>();
            for (Object item : items) {
                list.add(natural(item));
            }
            return list;
        }
        return value;
    }

    // ---- results: compared with the expected JSON value ----

    private static boolean matches(Object actual, Object expected, Double tolerance) {
        if (actual instanceof Number a && expected instanceof Number e) {
            if (tolerance != null) {
                return Math.abs(a.doubleValue() - e.doubleValue()) <= tolerance;
            }
            boolean wholeA = !(a instanceof Double || a instanceof Float);
            boolean wholeE = e instanceof Long;
            return wholeA && wholeE ? a.longValue() == e.longValue() : a.doubleValue() == e.doubleValue();
        }
        if (actual instanceof Character c && expected instanceof String s) {
            return s.equals(String.valueOf(c));
        }
        if (actual instanceof String text && expected instanceof List<?>) {
            return text.equals(javaString(expected));
        }
        if (expected instanceof List<?> items) {
            List<Object> elements = elements(actual);
            if (elements == null || elements.size() != items.size()) {
                return false;
            }
            for (int i = 0; i < items.size(); i++) {
                if (!matches(elements.get(i), items.get(i), tolerance)) {
                    return false;
                }
            }
            return true;
        }
        return expected == null ? actual == null : expected.equals(actual);
    }

    /** The elements of a list, array or iterable; of any other object, its fields in order; else null. */
    private static List<Object> elements(Object value) {
        if (value == null || value instanceof String || value instanceof Number || value instanceof Boolean || value instanceof Character) {
            return null;
        }
        List<Object> list = new ArrayList<>();
        if (value.getClass().isArray()) {
            for (int i = 0; i < Array.getLength(value); i++) {
                list.add(Array.get(value, i));
            }
            return list;
        }
        if (value instanceof Iterable<?> iterable) {
            for (Iterator<?> it = iterable.iterator(); it.hasNext();) {
                list.add(it.next());
            }
            return list;
        }
        for (Field field : value.getClass().getDeclaredFields()) {
            if (Modifier.isStatic(field.getModifiers()) || field.isSynthetic()) {
                continue;
            }
            try {
                field.setAccessible(true);
                list.add(field.get(value));
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
        }
        return list;
    }

    /** How Java prints the expected value as a collection: [1, 2, [3]]. */
    private static String javaString(Object value) {
        if (value instanceof List<?> items) {
            StringBuilder text = new StringBuilder("[");
            for (int i = 0; i < items.size(); i++) {
                text.append(i == 0 ? "" : ", ").append(javaString(items.get(i)));
            }
            return text.append(']').toString();
        }
        return String.valueOf(value);
    }

    private static String render(Object value) {
        if (value instanceof String text) {
            return '"' + text + '"';
        }
        List<Object> elements = value instanceof Number || value instanceof Boolean || value instanceof Character ? null : elements(value);
        if (elements == null) {
            return String.valueOf(value);
        }
        StringBuilder text = new StringBuilder("[");
        for (int i = 0; i < elements.size(); i++) {
            text.append(i == 0 ? "" : ", ").append(render(elements.get(i)));
        }
        return text.append(']').toString();
    }

    private static String shorten(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }

    @SuppressWarnings("unchecked")
    private static List<Object> asList(Object value) {
        if (value instanceof List<?>) {
            return (List<Object>) value;
        }
        throw new IllegalArgumentException("expected a JSON list, got " + render(value));
    }

    // ---- report ----

    private static void writeReport(String suite, List<Outcome> outcomes) throws IOException {
        String path = System.getenv("DRIFTWATCH_JUNIT");
        if (path == null || path.isEmpty()) {
            return;
        }
        long failures = outcomes.stream().filter(o -> o.failure() != null).count();
        try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(Path.of(path), StandardCharsets.UTF_8))) {
            out.println("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
            out.printf("<testsuite name=\"%s\" tests=\"%d\" failures=\"%d\" errors=\"0\" skipped=\"0\">%n", xml(suite), outcomes.size(), failures);
            for (Outcome outcome : outcomes) {
                String head = String.format("  <testcase classname=\"%s\" name=\"%s\" time=\"%.6f\"", xml(suite), outcome.name(), outcome.seconds());
                if (outcome.failure() == null) {
                    out.println(head + "/>");
                } else {
                    out.println(head + ">");
                    out.printf("    <failure message=\"%s\"/>%n", xml(outcome.failure()));
                    out.println("  </testcase>");
                }
            }
            out.println("</testsuite>");
        }
    }

    private static String xml(String text) {
        StringBuilder escaped = new StringBuilder();
        for (char c : text.toCharArray()) {
            switch (c) {
                case '<' -> escaped.append("&lt;");
                case '>' -> escaped.append("&gt;");
                case '&' -> escaped.append("&amp;");
                case '"' -> escaped.append("&quot;");
                default -> escaped.append(c < 0x20 && c != '\t' && c != '\n' ? ' ' : c);
            }
        }
        return escaped.toString();
    }

    /** Enough JSON for test cases: objects are not needed, numbers with a fraction or exponent are Double. */
    private static final class Json {
        private final String text;
        private int at;

        Json(String text) {
            this.text = text;
        }

        Object parse() {
            Object value = value();
            space();
            if (at != text.length()) {
                throw new IllegalArgumentException("unexpected text at column " + (at + 1));
            }
            return value;
        }

        private Object value() {
            space();
            if (at >= text.length()) {
                throw new IllegalArgumentException("unexpected end of line");
            }
            char c = text.charAt(at);
            if (c == '[') {
                at++;
                List<Object> items = new ArrayList<>();
                space();
                if (peek(']')) {
                    at++;
                    return items;
                }
                while (true) {
                    items.add(value());
                    space();
                    if (peek(',')) {
                        at++;
                    } else if (peek(']')) {
                        at++;
                        return items;
                    } else {
                        throw new IllegalArgumentException("expected ',' or ']' at column " + (at + 1));
                    }
                }
            }
            if (c == '"') {
                return string();
            }
            if (text.startsWith("true", at)) {
                at += 4;
                return Boolean.TRUE;
            }
            if (text.startsWith("false", at)) {
                at += 5;
                return Boolean.FALSE;
            }
            if (text.startsWith("null", at)) {
                at += 4;
                return null;
            }
            int start = at;
            while (at < text.length() && "+-0123456789.eE".indexOf(text.charAt(at)) >= 0) {
                at++;
            }
            String number = text.substring(start, at);
            if (number.isEmpty()) {
                throw new IllegalArgumentException("unexpected '" + c + "' at column " + (start + 1));
            }
            if (number.contains(".") || number.contains("e") || number.contains("E")) {
                return Double.parseDouble(number);
            }
            return Long.parseLong(number);
        }

        private String string() {
            StringBuilder out = new StringBuilder();
            at++;
            while (at < text.length()) {
                char c = text.charAt(at++);
                if (c == '"') {
                    return out.toString();
                }
                if (c != '\\') {
                    out.append(c);
                    continue;
                }
                char escape = text.charAt(at++);
                switch (escape) {
                    case 'n' -> out.append('\n');
                    case 't' -> out.append('\t');
                    case 'r' -> out.append('\r');
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'u' -> {
                        out.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
                        at += 4;
                    }
                    default -> out.append(escape);
                }
            }
            throw new IllegalArgumentException("unterminated string");
        }

        private boolean peek(char c) {
            return at < text.length() && text.charAt(at) == c;
        }

        private void space() {
            while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
                at++;
            }
        }
    }
}
