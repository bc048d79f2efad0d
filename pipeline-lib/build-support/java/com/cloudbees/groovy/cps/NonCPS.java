package com.cloudbees.groovy.cps;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Stand-in for groovy-cps' annotation (not on Maven Central) so the library compiles here as
 * Jenkins compiles it: Jenkins imports {@code NonCPS} into every library source by itself, and
 * build-support/library-config.groovy does the same for this build. Never shipped to Jenkins.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.CONSTRUCTOR})
public @interface NonCPS {}
