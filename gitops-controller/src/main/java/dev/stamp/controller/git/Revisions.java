package dev.stamp.controller.git;

import dev.stamp.controller.ControllerException;
import java.io.IOException;
import org.eclipse.jgit.errors.AmbiguousObjectException;
import org.eclipse.jgit.errors.IncorrectObjectTypeException;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.errors.RevisionSyntaxException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;

/**
 * Revisions of one mirror ({@code main}, {@code v1}, {@code 1a2b3c}, {@code main~1}) as commits.
 */
final class Revisions {

  private final Repository repo;
  private final String where;

  /** {@code where} names the repository in messages: {@code shop (https://…/shop.git)}. */
  Revisions(Repository repo, String where) {
    this.repo = repo;
    this.where = where;
  }

  /**
   * The commit {@code rev} names, parsed in {@code walk}. Unknown: NOT_FOUND naming the rev;
   * ambiguous, malformed or naming a tree or blob: BAD_INPUT.
   */
  RevCommit commit(RevWalk walk, String rev) throws ControllerException {
    String what = "resolve \"" + rev + "\" in " + where;
    if (rev == null || rev.isBlank()) {
      throw ControllerException.badInput(what + ": no revision given");
    }
    ObjectId id;
    try {
      id = repo.resolve(rev);
    } catch (AmbiguousObjectException e) {
      throw ControllerException.badInput(
          what
              + ": the short id matches "
              + e.getCandidates().size()
              + " objects; give more digits");
    } catch (RevisionSyntaxException e) {
      throw ControllerException.badInput(what + ": not a valid revision");
    } catch (IOException e) {
      throw ControllerException.failed(what + ": " + e.getMessage(), e);
    }
    if (id == null) {
      throw ControllerException.notFound(what + ": no such branch, tag or commit in the mirror");
    }
    try {
      return walk.parseCommit(id);
    } catch (IncorrectObjectTypeException e) {
      throw ControllerException.badInput(what + ": names a " + typeOf(id) + ", not a commit");
    } catch (MissingObjectException e) {
      throw ControllerException.notFound(what + ": no such commit in the mirror");
    } catch (IOException e) {
      throw ControllerException.failed(what + ": " + e.getMessage(), e);
    }
  }

  private String typeOf(ObjectId id) {
    try {
      return Constants.typeString(repo.open(id).getType());
    } catch (IOException e) {
      return "non-commit object";
    }
  }

  /** A commit as the controller records it. */
  static CommitInfo info(RevCommit c) {
    PersonIdent a = c.getAuthorIdent();
    return new CommitInfo(
        c.name(),
        c.abbreviate(12).name(),
        a.getName(),
        a.getEmailAddress(),
        a.getWhenAsInstant(),
        c.getFullMessage());
  }
}
