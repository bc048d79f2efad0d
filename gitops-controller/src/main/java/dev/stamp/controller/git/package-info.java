/**
 * Git access for the controller: a bare mirror per repository, fetched with JGit, whose commits are
 * read as trees ({@link dev.stamp.controller.git.TreeSnapshot}) without a working copy.
 */
package dev.stamp.controller.git;
