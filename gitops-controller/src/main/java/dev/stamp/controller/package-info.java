/** The GitOps controller: watches a Git repository and rolls out what main says (its own issue). */
package dev.stamp.controller;
