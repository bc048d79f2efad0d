package dev.stamp.controller.git;

import dev.stamp.controller.ControllerException;
import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.TreeSet;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.TreeFormatter;
import org.eclipse.jgit.merge.MergeStrategy;
import org.eclipse.jgit.merge.ResolveMerger;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;

/**
 * Rollback commits built in the mirror's object database, without a working copy: a revert is an
 * in-core three-way merge (base: the reverted commit, ours: the tip, theirs: its parent), a restore
 * is a commit on the tip carrying an earlier commit's tree.
 */
final class Rollbacks {

  private final Repository repo;
  private final Revisions revisions;
  private final String branch;
  private final String url;

  Rollbacks(Repository repo, Revisions revisions, String branch, String url) {
    this.repo = repo;
    this.revisions = revisions;
    this.branch = branch;
    this.url = url;
  }

  /** A commit on {@code tip} undoing {@code rev}, or {@code tip} when it is already undone. */
  ObjectId revert(RevCommit tip, String rev, PersonIdent who, String message)
      throws ControllerException, IOException {
    String what = "revert " + rev + " on " + branch + " of " + url;
    try (RevWalk walk = new RevWalk(repo);
        ObjectInserter ins = repo.newObjectInserter()) {
      RevCommit c = revisions.commit(walk, rev);
      RevCommit onTip = walk.parseCommit(tip);
      if (c.getParentCount() > 1) {
        throw ControllerException.badInput(
            what + ": " + c.name() + " is a merge commit; use restore to go back to a release");
      }
      if (!walk.isMergedInto(c, onTip)) {
        throw ControllerException.badInput(what + ": " + c.name() + " is not on branch " + branch);
      }
      ObjectId parentTree =
          c.getParentCount() == 0
              ? ins.insert(new TreeFormatter())
              : walk.parseCommit(c.getParent(0)).getTree();
      ResolveMerger merger =
          (ResolveMerger) MergeStrategy.RECURSIVE.newMerger(ins, repo.getConfig());
      merger.setBase(c.getTree());
      if (!merger.merge(onTip.getTree(), parentTree)) {
        TreeSet<String> paths = new TreeSet<>(merger.getUnmergedPaths());
        if (merger.getFailingPaths() != null) {
          paths.addAll(merger.getFailingPaths().keySet());
        }
        throw ControllerException.conflict(
            what
                + ": later commits changed the same lines of "
                + String.join(", ", paths)
                + "; revert by hand or use restore to go back to a release");
      }
      ObjectId tree = merger.getResultTreeId();
      if (tree.equals(onTip.getTree())) {
        return onTip;
      }
      String text =
          message != null && !message.isBlank()
              ? message
              : "Revert \"" + c.getShortMessage() + "\"\n\nThis reverts commit " + c.name() + ".\n";
      return insertCommit(ins, tree, onTip, who, text);
    }
  }

  /** A commit on {@code tip} with {@code rev}'s tree, or {@code tip} when it has that tree. */
  ObjectId restore(RevCommit tip, String rev, PersonIdent who, String message)
      throws ControllerException, IOException {
    String what = "restore " + rev + " on " + branch + " of " + url;
    try (RevWalk walk = new RevWalk(repo);
        ObjectInserter ins = repo.newObjectInserter()) {
      RevCommit target = revisions.commit(walk, rev);
      RevCommit onTip = walk.parseCommit(tip);
      if (!walk.isMergedInto(target, onTip)) {
        throw ControllerException.badInput(
            what + ": " + target.name() + " is not on branch " + branch);
      }
      if (target.getTree().equals(onTip.getTree())) {
        return onTip;
      }
      String text =
          message != null && !message.isBlank()
              ? message
              : "Restore the tree of "
                  + target.abbreviate(12).name()
                  + " \""
                  + target.getShortMessage()
                  + "\"\n\nThe files are those of commit "
                  + target.name()
                  + ".\n";
      return insertCommit(ins, target.getTree(), onTip, who, text);
    }
  }

  private static ObjectId insertCommit(
      ObjectInserter ins, ObjectId tree, RevCommit parent, PersonIdent who, String message)
      throws IOException {
    CommitBuilder cb = new CommitBuilder();
    cb.setTreeId(tree);
    cb.setParentId(parent);
    cb.setAuthor(who);
    cb.setCommitter(who);
    cb.setMessage(message.endsWith("\n") ? message : message + "\n");
    ObjectId id = ins.insert(cb);
    ins.flush();
    return id;
  }

  /** The author and committer of a rollback commit; BAD_INPUT for names git cannot store. */
  static PersonIdent person(String what, String name, String email) throws ControllerException {
    if (name == null || name.isBlank() || name.matches("(?s).*[<>\\n\\r].*")) {
      throw ControllerException.badInput(
          what + ": author name is blank or has '<', '>' or a newline");
    }
    if (email == null || email.isBlank() || email.matches("(?s).*[<>\\s].*")) {
      throw ControllerException.badInput(
          what + ": author email is blank or has '<', '>' or spaces");
    }
    return new PersonIdent(name, email, Instant.now(), ZoneOffset.UTC);
  }
}
