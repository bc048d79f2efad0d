/** Policy-as-code over Dockerfiles, images and deployment specs (its own issue). */
package dev.stamp.policies;
