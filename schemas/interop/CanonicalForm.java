// Prints "<file> <fingerprint as 16 hex digits> <parsing canonical form>" per
// schema file, by Apache Avro's Java implementation (SchemaNormalization): the
// second independent implementation fingerprints.py compares against.
// Run by fingerprints.py when Debian's libavro-java is installed.
import java.nio.file.Files;
import java.nio.file.Paths;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

public class CanonicalForm {
    public static void main(String[] files) throws Exception {
        for (String f : files) {
            Schema s = new Schema.Parser().parse(new String(Files.readAllBytes(Paths.get(f)), "UTF-8"));
            System.out.println(Paths.get(f).getFileName() + " "
                + String.format("%016x", SchemaNormalization.parsingFingerprint64(s)) + " "
                + SchemaNormalization.toParsingForm(s));
        }
    }
}
