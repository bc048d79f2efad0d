// GMavenPlus configScript: compile the library as Jenkins does, with NonCPS imported implicitly.
withConfig(configuration) {
  imports {
    normal 'com.cloudbees.groovy.cps.NonCPS'
  }
}
