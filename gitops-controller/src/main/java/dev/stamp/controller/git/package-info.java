/**
 * Git access for the controller: a bare mirror per repository, fetched with JGit, whose commits are
 * read as trees ({@link dev.stamp.controller.git.TreeSnapshot}) without a working copy.
 *
 * <p>Public surface: {@link dev.stamp.controller.git.GitRepository} (open, fetch, resolve, log,
 * snapshot, revert, restore) and its values {@link dev.stamp.controller.git.RepoSource}, {@link
 * dev.stamp.controller.git.GitCredentials}, {@link dev.stamp.controller.git.FetchResult}, {@link
 * dev.stamp.controller.git.CommitInfo}. Behind it, package-private: {@code Remote} (URL,
 * credentials at call time, ssh session factory, push, failures sorted by what to do next), {@code
 * StrictKnownHosts} (read-only host key check), {@code MirrorLock} (one writer per mirror), {@code
 * Revisions}, {@code Rollbacks} (in-core revert and restore commits), {@code GitTreeSnapshot} and
 * {@code RepoPaths} (path checks). Errors are {@link dev.stamp.controller.ControllerException}s.
 */
package dev.stamp.controller.git;
