package dev.stamp.builder.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** The live view: running steps are drawn, then erased when the step's final line is printed. */
class TtyProgressTest {

  @Test
  void runningStepsAreRedrawnAndFinishedOnesStay() {
    StringWriter out = new StringWriter();
    try (TtyProgress progress = new TtyProgress(new PrintWriter(out, true))) {
      progress.started(1, "[build 1/2] RUN make");
      progress.output(1, "compiling");
      progress.finished(new StepReport(1, "build", 1, 2, "RUN make", false, 1234, 4_100_000, ""));
      progress.finished(new StepReport(2, "build", 2, 2, "COPY a /a", true, 0, 10, ""));
    }
    String text = out.toString();
    assertThat(text).contains("#1 [build 1/2] RUN make  ");
    assertThat(text).contains("\033[1A\033[2K");
    assertThat(text).contains("#1 [build 1/2] RUN make  DONE 1.2s 4.1MB\n");
    assertThat(text).contains("#2 [build 2/2] COPY a /a  CACHED\n");
  }

  @Test
  void plainProgressPrintsOneLinePerStep() {
    StringWriter out = new StringWriter();
    PlainProgress progress = new PlainProgress(new PrintWriter(out, true));
    progress.output(3, "hello");
    progress.finished(new StepReport(3, "app", 2, 4, "RUN make", false, 50, 0, ""));
    assertThat(out.toString()).isEqualTo("#3 hello\n#3 [app 2/4] RUN make  DONE 0.1s\n");
  }
}
